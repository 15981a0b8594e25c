# The R peers of `joindots estimate --table` (issues 11 and 13), one per call, on a capture
# table in joindots' CSV form (one 0/1 column per list, then `count`). Prints one JSON object
# per line on stdout: first the point estimate with its seconds, then (where the peer has one)
# the interval with the seconds of the whole work. A run cut off by a timeout still leaves
# the first line. Seconds are the peer's work alone (proc.time around it), not starting R or
# loading the package.
#
#   Rscript bench/peers/mse_peers.R sparsemse TABLE.csv [NBOOT] [PTHRESH] [BUDGET_S]
#   Rscript bench/peers/mse_peers.R rcapture  TABLE.csv
#   Rscript bench/peers/mse_peers.R lcmcr     TABLE.csv [SEED]
#
# sparsemse: SparseMSE::estimatepopulation (Chan, Silverman & Vincent 2019): the stepwise
#   Poisson p-value rule (threshold 0.02), NBOOT (default 1000) bootstrap replicates of the
#   whole selection and a BCa interval; the first line is estimatepopulation.0 alone. The
#   bootstrap and jackknife repeat that selection about NBOOT + (non-empty cells) times: when
#   that projection of the first line's seconds exceeds BUDGET_S (default: no limit), the
#   second line says so (stage "skipped") instead of running them.
# rcapture: Rcapture::closedp.t (Rivest & Baillargeon), every model it fits; the one of lowest
#   BIC among M0, Mt, Mh and Mth (Mb and Mbh assume the lists come in time order: left out)
#   then gets closedpCI.t's profile-likelihood interval.
# lcmcr: LCMCR::lcmCR (Manrique-Vallier 2016) with its defaults (K = 5 latent classes,
#   a = b = 0.25, thinning 10) and lcmCR_PostSampl's (10,000 burn-in, 1,000 samples):
#   posterior median and 2.5%/97.5% quantiles.
suppressPackageStartupMessages({
  args <- commandArgs(trailingOnly = TRUE)
  if (length(args) < 2) stop("usage: mse_peers.R sparsemse|rcapture|lcmcr TABLE.csv [...]")
  peer <- args[1]
  table <- read.csv(args[2], check.names = FALSE)
})
lists <- setdiff(names(table), "count")
observed <- sum(table$count)

json_value <- function(x) {
  if (is.null(x) || length(x) == 0) return("null")
  if (is.character(x)) return(paste0("\"", gsub("\"", "'", x), "\""))
  if (length(x) > 1) return(paste0("[", paste(sapply(x, json_value), collapse = ","), "]"))
  if (!is.finite(x)) return("null")
  format(x, digits = 12, scientific = FALSE)
}
emit <- function(...) {
  fields <- list(...)
  cat("{", paste(sprintf("\"%s\":%s", names(fields), sapply(fields, json_value)), collapse = ","),
      "}\n", sep = "")
  flush(stdout())
}
timed <- function(expr) {
  t0 <- proc.time()
  value <- expr
  t <- proc.time() - t0
  list(value = value, wall = unname(t["elapsed"]), cpu = unname(t["user.self"] + t["sys.self"]))
}

run_sparsemse <- function(nboot, pthresh, budget) {
  suppressPackageStartupMessages(library(SparseMSE))
  zdat <- table[, c(lists, "count")]
  point <- timed(SparseMSE::estimatepopulation.0(zdat, quantiles = NULL, pthresh = pthresh))
  fit <- point$value$MSEfit$fit
  # the chosen pairs: those fitted, and those with an empty overlap (SparseMSE drops their
  # cells instead of fitting a term)
  empty <- colnames(point$value$MSEfit$emptyoverlaps)
  terms <- c(grep(":", names(coef(fit)), value = TRUE), empty)
  emit(peer = "sparsemse", stage = "point", estimate = unname(point$value$estimate[1]),
       model = paste(terms, collapse = " "), interactions = length(terms), empty_overlaps = length(empty),
       seconds = point$wall, cpu_seconds = point$cpu, observed = observed)
  repeats <- nboot + sum(zdat$count > 0)
  projected <- point$wall * (1 + repeats)
  if (projected > budget) {
    emit(peer = "sparsemse", stage = "skipped", projected_seconds = projected,
         projected_cpu_seconds = point$cpu * (1 + repeats), budget_seconds = budget, nboot = nboot)
    return(invisible())
  }
  whole <- timed(SparseMSE::estimatepopulation(zdat, nboot = nboot, pthresh = pthresh,
                                               alpha = c(0.025, 0.975)))
  bca <- unname(whole$value$BCaquantiles)
  emit(peer = "sparsemse", stage = "interval", estimate = unname(whole$value$popest[1]),
       interval = bca, nboot = nboot, pthresh = pthresh,
       failed_replicates = sum(!is.finite(whole$value$bootreps)),
       seconds = whole$wall, cpu_seconds = whole$cpu, observed = observed)
}

rcapture_ci_args <- function(name) {
  # closedp.t's row names to closedpCI.t's m, h and h.control
  m <- if (startsWith(name, "Mth")) "Mth" else if (startsWith(name, "Mh")) "Mh" else name
  h <- NULL
  control <- list()
  if (grepl("Chao", name)) h <- "Chao"
  if (grepl("Poisson", name)) { h <- "Poisson"; control <- list(theta = 2) }
  if (grepl("Darroch", name)) h <- "Darroch"
  if (grepl("Gamma", name)) { h <- "Gamma"; control <- list(theta = 3.5) }
  list(m = m, h = h, h.control = control)
}

run_rcapture <- function() {
  suppressPackageStartupMessages(library(Rcapture))
  X <- as.matrix(table[table$count > 0, c(lists, "count")])
  fits <- timed(Rcapture::closedp.t(X, dfreq = TRUE))
  res <- fits$value$results
  usable <- res[!(rownames(res) %in% c("Mb", "Mbh")) & is.finite(res[, "BIC"]), , drop = FALSE]
  best <- rownames(usable)[which.min(usable[, "BIC"])]
  emit(peer = "rcapture", stage = "point", model = best, estimate = usable[best, "abundance"],
       stderr = usable[best, "stderr"], info_fit = usable[best, "infoFit"],
       models = paste(sprintf("%s=%.0f(BIC %.1f)", rownames(res), res[, "abundance"], res[, "BIC"]),
                      collapse = " "),
       seconds = fits$wall, cpu_seconds = fits$cpu, observed = observed)
  a <- rcapture_ci_args(best)
  ci <- timed(Rcapture::closedpCI.t(X, dfreq = TRUE, m = a$m, h = a$h, h.control = a$h.control))
  r <- ci$value$CI
  emit(peer = "rcapture", stage = "interval", model = best, estimate = r[1, "abundance"],
       interval = c(r[1, "infCL"], r[1, "supCL"]),
       seconds = fits$wall + ci$wall, cpu_seconds = fits$cpu + ci$cpu, observed = observed)
}

run_lcmcr <- function(seed) {
  suppressPackageStartupMessages(library(LCMCR))
  rows <- rep(seq_len(nrow(table)), table$count)
  indiv <- as.data.frame(lapply(table[rows, lists, drop = FALSE],
                                function(v) factor(as.character(v), levels = c("0", "1"))))
  whole <- timed({
    sampler <- LCMCR::lcmCR(indiv, tabular = FALSE, in_list_label = "1", not_in_list_label = "0",
                            seed = seed, verbose = FALSE)
    LCMCR::lcmCR_PostSampl(sampler, output = FALSE)
  })
  draws <- whole$value
  emit(peer = "lcmcr", stage = "interval", estimate = unname(median(draws)),
       interval = unname(quantile(draws, c(0.025, 0.975))), mean = mean(draws), samples = length(draws),
       seed = seed, seconds = whole$wall, cpu_seconds = whole$cpu, observed = observed)
}

switch(peer,
  sparsemse = run_sparsemse(if (length(args) >= 3) as.integer(args[3]) else 1000L,
                            if (length(args) >= 4) as.numeric(args[4]) else 0.02,
                            if (length(args) >= 5) as.numeric(args[5]) else Inf),
  rcapture = run_rcapture(),
  lcmcr = run_lcmcr(if (length(args) >= 3) as.integer(args[3]) else 1L),
  stop("unknown peer ", peer))
