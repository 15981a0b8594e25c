// The results bundle as the C++ side writes it (schema "joindots-results/1", docs/report.md).

/** A count after disclosure control: a number, or null with the reason it is withheld. */
export interface Cell {
  value: number | null;
  suppressed?: "primary" | "secondary";
}

export interface Estimate {
  known: Cell;
  estimate?: number;
  interval?: [number, number];
  method?: string;
  note?: string;
}

export interface AreaRow {
  lad_cd: string;
  name: string;
  region: string;
  pfa: string;
  pop_0_17: number;
  count: Cell;
}

export interface SourceRow {
  source_type: string;
  organisations: number;
  victim_records: Cell;
  percent_with_value: Record<string, number | null>;
}

export interface StratumRow {
  dimension: string;
  value: string;
  known: Cell;
  estimate?: number;
  interval?: [number, number];
  flag: string;
}

export interface Bundle {
  schema: string;
  tier: "public" | "restricted";
  generated_at: string;
  attribution: string;
  disclosure: Record<string, unknown>;
  headline: {
    victims: Estimate | null;
    areas: Estimate | null;
    offences: Estimate | null;
    still_involved: Estimate | null;
  };
  areas: AreaRow[];
  regions: { region: string; count: Cell }[];
  /** What the map counts: known victims once linkage has run, victim records before. */
  area_counts: { measure: "victims" | "victim_records"; label: string; total: Cell; no_area: Cell };
  victim_records_total: Cell;
  sources: SourceRow[];
  strata: StratumRow[];
  lists?: string[];
  reference_date?: string;
  store: { schema_version: number; files: number; runs: number };
}

export const SUPPORTED_SCHEMA = "joindots-results/1";

/** The bundle embedded in the report, or fetched from the server for the dashboard. */
export async function loadJson<T>(scriptId: string, url: string): Promise<T> {
  const embedded = document.getElementById(scriptId);
  if (embedded && embedded.textContent) return JSON.parse(embedded.textContent) as T;
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: ${response.status} ${response.statusText}`);
  return (await response.json()) as T;
}

/** How a cell reads on screen: "1,235", "suppressed (1–9)" or "suppressed". */
export function formatCell(cell: Cell): string {
  if (cell.value !== null) return cell.value.toLocaleString("en-GB");
  return cell.suppressed === "primary" ? "fewer than 10" : "suppressed";
}
