/**
 * A small line-based reader for the Gherkin our .feature files use (no parser is installed):
 * Feature, Background, Scenario, Scenario Outline with Examples tables, Given/When/Then/And/But
 * steps with an optional data table, `#` comments and `@tags` (ignored). Outlines are expanded into
 * one scenario per Examples row, `<column>` replaced in the name, the steps and their tables.
 */
export interface Step {
  keyword: string;
  text: string;
  /** A data table under the step: rows of cells, the header first. */
  table: string[][];
  line: number;
}

export interface Scenario {
  name: string;
  steps: Step[];
}

export interface Feature {
  name: string;
  background: Step[];
  scenarios: Scenario[];
}

const STEP = /^(Given|When|Then|And|But|\*)\s+(.*)$/;
const cells = (line: string) => line.slice(1, line.lastIndexOf("|")).split("|").map((cell) => cell.trim().replace(/\\\|/g, "|"));

export function parseFeature(source: string): Feature {
  const feature: Feature = { name: "", background: [], scenarios: [] };
  let steps: Step[] | null = null;
  let outline: { name: string; steps: Step[]; examples: string[][] } | null = null;
  let inExamples = false;
  const finishOutline = () => {
    if (!outline) return;
    const [header = [], ...rows] = outline.examples;
    const fill = (text: string, row: string[]) => text.replace(/<([^<>]+)>/g, (whole, name: string) => (header.includes(name) ? row[header.indexOf(name)]! : whole));
    for (const row of rows) {
      const steps = outline.steps.map((step) => ({ ...step, text: fill(step.text, row), table: step.table.map((r) => r.map((cell) => fill(cell, row))) }));
      feature.scenarios.push({ name: `${fill(outline.name, row)} [${row.join(" | ")}]`, steps });
    }
    outline = null;
  };
  source.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("#") || line.startsWith("@")) return;
    const header = /^(Feature|Background|Scenario Outline|Scenario Template|Scenario|Example|Examples|Scenarios):\s*(.*)$/.exec(line);
    if (header) {
      const [, keyword, name = ""] = header;
      if (keyword === "Examples" || keyword === "Scenarios") return void (inExamples = true);
      finishOutline();
      inExamples = false;
      if (keyword === "Feature") feature.name = name;
      else if (keyword === "Background") steps = feature.background;
      else if (keyword === "Scenario Outline" || keyword === "Scenario Template") steps = (outline = { name, steps: [], examples: [] }).steps;
      else feature.scenarios.push({ name, steps: (steps = []) });
      return;
    }
    const where = `line ${index + 1}`;
    if (line.startsWith("|")) {
      if (inExamples && outline) outline.examples.push(cells(line));
      else if (steps?.length) steps.at(-1)!.table.push(cells(line));
      else throw new Error(`${where}: a table outside a step or Examples`);
      return;
    }
    const step = STEP.exec(line);
    if (!step || !steps || inExamples) throw new Error(`${where}: cannot read "${line}"`);
    steps.push({ keyword: step[1]!, text: step[2]!, table: [], line: index + 1 });
  });
  finishOutline();
  return feature;
}
