"""Tools for the course's authors, on top of grading: the mutation audit and the GPU parity check."""
