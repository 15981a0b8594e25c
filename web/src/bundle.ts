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
  /** Said at the headline: methods that disagree, linkage or the threshold moving the answer (victims); the floor (offences). */
  cautions?: string[];
  /** Why there is no estimate, or an empty one; empty when there is one. */
  why?: string;
  /** Why the figure is weak (a sparse table supports an interval, not a point); absent when it is not. */
  weak?: string;
}

export interface AreaRow {
  lad_cd: string;
  name: string;
  region: string;
  pfa: string;
  pop_0_17: number;
  lon: number;
  lat: number;
  count: Cell;
}

/** A count in the networks summary: a number, or null when suppressed (below 10). */
export type NetCount = number | null;

export interface NetworksSummary {
  networks: NetCount;
  cross_force_networks: NetCount;
  multi_district_networks: NetCount;
  size_distribution: Record<string, NetCount>;
  size_unit: string;
  threshold: number;
  top_area_pairs: { a: { lad_cd: string; name?: string }; b: { lad_cd: string; name?: string }; networks: number }[];
  large_networks: { suspects: NetCount; victims: NetCount; lads: string[]; pfas: string[]; first: string; last: string }[];
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
  /** Why the estimate is weak (a sparse table supports an interval, not a point); absent when it is not. */
  weak?: string;
  /** Where MSE is not reliable: the parent's estimated-to-known ratio applied to the known count. */
  model_based?: { estimate?: number; interval?: [number, number]; parent: string; basis: string };
}

export interface Bundle extends BundleExtras {
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
  networks?: NetworksSummary | null;
  sources: SourceRow[];
  strata: StratumRow[];
  lists?: string[];
  reference_date?: string;
  /** What makes the answers doubtful (e.g. a reference date after every record). */
  diagnostics?: string[];
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

export interface OverlapPattern {
  pattern: string;
  lists: string[];
  count: Cell;
}

/** The overlap of the lists: known victims by capture pattern, and each list's total. */
export interface Overlap {
  lists: string[];
  total: Cell;
  list_totals: { list: string; count: Cell }[];
  patterns: OverlapPattern[];
}

export interface MethodRow {
  method: string;
  label: string;
  estimate?: number;
  interval?: [number, number];
  interval_kind: string;
  source: string;
  chosen: boolean;
}

export interface ModelRow {
  model: string;
  estimate?: number;
  interval?: [number, number];
  weight?: number;
  criterion?: number;
  deviance?: number;
  df?: number;
  parameters?: number;
  interactions?: string[];
}

/** The estimation methods compared for the victims' total. */
export interface Models {
  known: Cell;
  chosen_method: string;
  interval_kind: string;
  notes: string[];
  methods: MethodRow[];
  loglinear?: {
    model?: string;
    interactions?: string[];
    criterion?: string;
    criterion_value?: number;
    search?: string;
    models_considered?: number;
    models_valid?: number;
    models_excluded?: number;
    models_not_converged?: number;
    deviance?: number;
    df?: number;
    gof_p_value?: number;
    parameters?: number;
    boundary_cells?: number;
    excluded?: { model: string; interactions: string[]; status: string; reason: string }[];
    excluded_total?: number;
    top_models: ModelRow[];
    bootstrap?: { kind?: string; replicates?: number; failed?: number; models_chosen?: Record<string, number> };
  };
  averaged?: { criterion: string; models_averaged: number; weights: ModelRow[] };
  lcmcr?: { rhat?: number; ess?: number; chains?: number; burn_in?: number; samples_per_chain?: number; thin?: number; max_classes?: number };
}

export interface LinkLevel {
  level: string;
  m: number;
  u: number;
  weight: number | null;
}

/** One role's linkage model from the latest link run. */
export interface Linkage {
  role: string;
  run_id: number;
  threshold: number;
  records: Cell;
  persons: Cell;
  candidate_pairs: Cell;
  linked_pairs: Cell;
  estimated_precision: number | null;
  em_iterations: number;
  em_converged: boolean;
  prior: number;
  fields: { field: string; comparator: string; levels: LinkLevel[] }[];
  blocking: { rule: string; pairs_implied: Cell; pairs_new: Cell }[];
  refused_merges: { hard_rule: Cell; cohesion: Cell; clerical: Cell };
  largest_cluster?: number;
  evaluation?: Record<string, number | Cell>;
}

/** How much the victims' total hangs on linkage: the linkage draws and the threshold curve. */
export interface LinkageUncertainty {
  draws?: number;
  linkage_share_of_width?: number;
  correction?: number;
  without_linkage_error?: { estimate?: number; interval?: [number, number] };
  with_linkage_error?: { estimate?: number; interval?: [number, number] };
  rule?: string;
  /** The draws' correction for true matches blocking never compared (estimate --unseen-links). */
  unseen_links?: { mode: string; applied: boolean; reason: string; recall?: number | null; recall_sample: number; split_sample?: number; split_apart?: number; source?: string; missed_rate?: number | null; effect?: number | null; persons_merged?: number };
  threshold_curve: { threshold: number; estimate?: number; interval?: [number, number]; persons?: number }[];
}

export interface BundleExtras {
  linkage_uncertainty?: LinkageUncertainty | null;
  overlap?: Overlap | null;
  models?: Models | null;
  linkage?: Linkage[];
  estimate_run?: number;
}
