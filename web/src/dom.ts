// Small DOM helpers shared by the page's sections.

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, ...children: (Node | string)[]) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  for (const c of children) node.append(c);
  return node;
}

export function section(id: string, title: string, ...children: (Node | string)[]) {
  return el("section", { id, "aria-labelledby": `${id}-title` }, el("h2", { id: `${id}-title` }, title), ...children);
}

export function table(caption: string, header: string[], rows: (string | number)[][], attrs: Record<string, string> = {}) {
  const t = el("table", attrs);
  t.append(el("caption", {}, caption));
  const thead = el("thead");
  const hr = el("tr");
  for (const h of header) hr.append(el("th", { scope: "col" }, h));
  thead.append(hr);
  const tbody = el("tbody");
  for (const r of rows) {
    const tr = el("tr");
    r.forEach((v, i) => tr.append(i === 0 ? el("th", { scope: "row" }, String(v)) : el("td", {}, String(v))));
    tbody.append(tr);
  }
  t.append(thead, tbody);
  return t;
}

/** A chart as an image for assistive technology: role="img" and a text alternative. */
export function asImage<T extends Element>(figure: T, label: string): T {
  figure.setAttribute("role", "img");
  figure.setAttribute("aria-label", label);
  return figure;
}

/** A table behind a chart, folded into a <details> that opens for print. */
export function tableBehind(summary: string, t: HTMLTableElement) {
  return el("details", { class: "behind" }, el("summary", {}, summary), t);
}

export const fmtNumber = (v?: number | null, digits = 0) =>
  v === undefined || v === null ? "–" : v.toLocaleString("en-GB", { maximumFractionDigits: digits, minimumFractionDigits: digits });

export const fmtInterval = (i?: [number, number]) => (i ? `${fmtNumber(i[0])}–${fmtNumber(i[1])}` : "–");

/** Okabe–Ito: a categorical palette told apart under the common colour-vision deficiencies. */
export const OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"];
