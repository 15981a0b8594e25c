// Every table on the page can be downloaded as CSV.

// A text cell a spreadsheet would take for a formula gets a leading ' (OWASP); numbers are
// left alone. The same rule as the C++ writer's (src/io/escape.cpp, csv_cell).
const PLAIN_NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

export function formulaSafe(value: unknown): string {
  const text = value === null || value === undefined ? "" : String(value);
  if (typeof value === "number") return text;
  const first = text.charAt(0);
  if (first !== "" && "=@\t\r'".includes(first)) return `'${text}`;
  if ((first === "+" || first === "-") && !PLAIN_NUMBER.test(text)) return `'${text}`;
  return text;
}

function escapeField(value: unknown): string {
  const text = formulaSafe(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function toCsv(header: string[], rows: unknown[][]): string {
  return [header, ...rows].map((r) => r.map(escapeField).join(",")).join("\n") + "\n";
}

/** A button that downloads `csv()` as `filename`. */
export function downloadButton(filename: string, csv: () => string): HTMLButtonElement {
  const button = document.createElement("button");
  button.type = "button";
  button.className = "download";
  button.textContent = `Download ${filename}`;
  button.addEventListener("click", () => {
    const blob = new Blob([csv()], { type: "text/csv;charset=utf-8" });
    const a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = filename;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 1000);
  });
  return button;
}
