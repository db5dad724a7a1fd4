// The package's entry for `import … from "@corral/plugin-sdk"`: asc looks for index.ts at a
// package's root. The SDK itself is in assembly/.
export * from "./assembly/index";
