// Pairwise similarity of code files with Dolos (npm @dodona/dolos-lib), for bench/similarity_rates.py --tool dolos.
// Reads {"files": {name: code}, "template": code} on stdin; prints [[a, b, similarity, max share], ...].
// Run from a folder where `npm install @dodona/dolos-lib` was done (DOLOS_DIR).
import { mkdtempSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRequire } from "node:module";

const dir = process.env.DOLOS_DIR;
const { Dolos } = await import(createRequire(join(dir, "package.json")).resolve("@dodona/dolos-lib"));
let input = "";
for await (const chunk of process.stdin) input += chunk;
const { files, template } = JSON.parse(input);
const tmp = mkdtempSync(join(tmpdir(), "dolos-"));
const paths = Object.entries(files).map(([name, code]) => {
  const path = join(tmp, `${name.replace(/[^A-Za-z0-9_.-]/g, "_")}.py`);
  writeFileSync(path, code);
  return [path, name];
});
const ignore = join(tmp, "template.py");
writeFileSync(ignore, template);
const byPath = Object.fromEntries(paths);
const report = await new Dolos({ language: "python" }).analyzePaths(paths.map(([p]) => p), ignore);
const out = report.allPairs().map(p => [byPath[p.leftFile.path], byPath[p.rightFile.path], p.similarity,
  Math.max(p.leftCovered / Math.max(1, p.leftTotal), p.rightCovered / Math.max(1, p.rightTotal))]);
rmSync(tmp, { recursive: true });
console.log(JSON.stringify(out));
