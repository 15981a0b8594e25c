# fastLink (Enamorado, Fifield & Imai 2019), the peer of `joindots link` in
# bench/peers/linkage.py (issue 12). Reads CSV files (every column as text, "" as missing),
# links them and writes the matched pairs: one file is de-duplicated (fastLink(dfA, dfA),
# which fastLink recognises as de-duplication), two files are linked with fastLink's
# defaults (one-to-one matches, dedupe.matches = TRUE), more than two are linked pair by
# pair (every pair of files, each one-to-one; the caller closes the pairs into clusters).
# A pair is a match when its posterior is at least 0.85 (fastLink's threshold.match).
#
#   Rscript bench/peers/fastlink_peer.R OUT_PAIRS.csv ID_COLUMN FIELDS STRING_FIELDS \
#       N_CORES FILE...
#
# FIELDS: the columns compared, comma-separated; STRING_FIELDS: those among them compared by
# Jaro-Winkler with partial agreement (names, places; fastLink's stringdist.match and
# partial.match), the others exactly. OUT_PAIRS.csv: file_a,id_a,file_b,id_b,posterior.
# Prints one JSON line: pairs written, the file pairs linked, and the seconds of the linking
# alone (not starting R or loading the package).
suppressPackageStartupMessages(library(fastLink))
args <- commandArgs(trailingOnly = TRUE)
if (length(args) < 6) stop("usage: fastlink_peer.R OUT ID_COLUMN FIELDS STRING_FIELDS N_CORES FILE...")
out_path <- args[1]
id_column <- args[2]
fields <- strsplit(args[3], ",")[[1]]
string_fields <- strsplit(args[4], ",")[[1]]
n_cores <- as.integer(args[5])
files <- args[-(1:5)]

read_input <- function(path) {
  d <- read.csv(path, colClasses = "character", na.strings = "", check.names = FALSE)
  missing <- setdiff(c(id_column, fields), names(d))
  if (length(missing) > 0) stop(path, ": no column ", paste(missing, collapse = ", "))
  d[, fields] <- lapply(d[, fields, drop = FALSE], function(v) { v[!is.na(v) & trimws(v) == ""] <- NA; v })
  d
}
inputs <- lapply(files, read_input)

link_pair <- function(a, b) {
  quietly <- function(expr) { sink(tempfile()); on.exit(sink()); expr }
  out <- quietly(fastLink(dfA = a, dfB = b, varnames = fields, stringdist.match = string_fields,
                          partial.match = string_fields, n.cores = n_cores, verbose = FALSE))
  keep <- out$posterior >= 0.85
  data.frame(ia = out$matches$inds.a[keep], ib = out$matches$inds.b[keep], posterior = out$posterior[keep])
}

t0 <- proc.time()
rows <- list()
linked <- character(0)
if (length(inputs) == 1) {
  m <- link_pair(inputs[[1]], inputs[[1]])
  m <- m[m$ia < m$ib, ]  # de-duplication lists each pair both ways and every record with itself
  rows[[1]] <- data.frame(file_a = basename(files[1]), id_a = inputs[[1]][m$ia, id_column],
                          file_b = basename(files[1]), id_b = inputs[[1]][m$ib, id_column],
                          posterior = m$posterior)
  linked <- "dedupe"
} else {
  for (i in 1:(length(inputs) - 1)) for (j in (i + 1):length(inputs)) {
    m <- link_pair(inputs[[i]], inputs[[j]])
    rows[[length(rows) + 1]] <- data.frame(file_a = basename(files[i]), id_a = inputs[[i]][m$ia, id_column],
                                           file_b = basename(files[j]), id_b = inputs[[j]][m$ib, id_column],
                                           posterior = m$posterior)
    linked <- c(linked, sprintf("%d-%d", i, j))
  }
}
t <- proc.time() - t0
pairs <- do.call(rbind, rows)
write.csv(pairs, out_path, row.names = FALSE)
cat(sprintf("{\"pairs\":%d,\"linked\":\"%s\",\"records\":%d,\"n_cores\":%d,\"seconds\":%.3f,\"cpu_seconds\":%.3f}\n",
            nrow(pairs), paste(linked, collapse = " "), sum(sapply(inputs, nrow)), n_cores,
            t[["elapsed"]], t[["user.self"]] + t[["sys.self"]] + t[["user.child"]] + t[["sys.child"]]))
