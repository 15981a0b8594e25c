#!/usr/bin/env Rscript
# The conting peer of `joindots estimate` (bench only; run by bench/peers/run).
#
# conting's bict (Overstall & King 2014, J. Stat. Softw. 58(7)): Bayesian log-linear model
# averaging for an incomplete contingency table. Reversible-jump MCMC over the hierarchical
# models under a maximal model, with data augmentation of the unobserved cell; the total
# N is a posterior sample, reported as its median, mean, 95% highest posterior density
# interval (conting's total_pop) and equal-tailed 95% interval.
#
#   conting_peer.R TABLE.csv [ITERATIONS=10000] [BURNIN=ITERATIONS/10] [SEED=1] [ORDER] [PRIOR=SBH]
#
# Covariates: columns between the 0/1 list columns and `count` whose values are not all 0
# or 1 (e.g. spina_bifida_3list_by_ethnicity.csv's `eth`) are factors crossed with the
# capture patterns; every covariate level has its own missing cell, and the maximal model
# is (lists + covariates)^ORDER, as conting's spina example y ~ (S1 + S2 + S3 + eth)^2.
# PRIOR is bict's prior: SBH (the package default) or UIP (unit information, the prior of
# the published spina bifida figures and of joindots' bayes_loglinear). With covariates the
# JSON adds `strata`: per covariate level, the posterior mean of its total.
#
# ORDER is the order of the maximal model: 2 by default (every hierarchical model with
# two-way interactions at most, the maximal model of conting's own capture-recapture
# examples, spina and ScotPWID); 3 gives joindots' default space for four and five lists,
# where on UK 2013 (one zero cell) the chain settles on near-saturated three-way models
# with N near 2,900 (bench/README.md). Prior: the package's default
# (Sabanes-Bove & Held, a = b = 0.001). One line of JSON on stdout; `seconds` (wall) and
# `cpu_seconds` are bict and total_pop alone, `load_seconds` loading conting.
t_load <- proc.time()[["elapsed"]]
suppressMessages(suppressWarnings(library(conting)))
load_seconds <- proc.time()[["elapsed"]] - t_load

args <- commandArgs(trailingOnly = TRUE)
if (length(args) < 1) stop("usage: conting_peer.R TABLE.csv [ITERATIONS] [BURNIN] [SEED] [ORDER] [PRIOR]")
path <- args[1]
iterations <- if (length(args) >= 2) as.numeric(args[2]) else 10000
burnin <- if (length(args) >= 3) as.numeric(args[3]) else iterations / 10
seed <- if (length(args) >= 4) as.numeric(args[4]) else 1

t0 <- proc.time()[["elapsed"]]
cpu <- function() sum(proc.time()[c("user.self", "sys.self")])
cpu0 <- cpu()
d <- read.csv(path, check.names = FALSE, colClasses = "character")
d$count <- as.numeric(d$count)
cols <- setdiff(names(d), "count")
is01 <- sapply(cols, function(c) all(d[[c]] %in% c("0", "1")))
lists <- cols[is01]
covariates <- cols[!is01]
K <- length(lists)
order <- if (length(args) >= 5) as.numeric(args[5]) else 2
prior <- if (length(args) >= 6) args[6] else "SBH"
if (length(covariates) == 0) order <- min(order, K - 1)  # the K-way term is never identifiable

# All 2^K patterns (list 1 varying fastest) for every combination of covariate levels; the
# all-zero pattern of each is a missing cell (y = NA).
safe <- make.names(cols, unique = TRUE)
safe_lists <- safe[is01]
safe_covs <- safe[!is01]
levels_of <- lapply(covariates, function(c) unique(d[[c]]))
grid <- expand.grid(c(rep(list(c("0", "1")), K), levels_of), stringsAsFactors = FALSE)
names(grid) <- c(safe_lists, safe_covs)
key <- function(m) apply(m, 1, paste, collapse = "\r")
y <- d$count[match(key(grid[, c(safe_lists, safe_covs), drop = FALSE]), key(d[, c(lists, covariates), drop = FALSE]))]
y[is.na(y)] <- 0
unseen <- rowSums(grid[, safe_lists, drop = FALSE] == "1") == 0
y[unseen] <- NA
df <- data.frame(y = y)
for (l in safe_lists) df[[l]] <- factor(ifelse(grid[[l]] == "1", "obs", "un"), levels = c("un", "obs"))
for (i in seq_along(safe_covs)) df[[safe_covs[i]]] <- factor(grid[[safe_covs[i]]], levels = levels_of[[i]])
f <- as.formula(paste0("y ~ (", paste(c(safe_lists, safe_covs), collapse = " + "), ")^", order))

set.seed(seed)
fit <- bict(f, data = df, n.sample = iterations, prior = prior)
tp <- total_pop(fit, n.burnin = burnin)
seconds <- proc.time()[["elapsed"]] - t0
cpu_seconds <- cpu() - cpu0

mp <- mod_probs(fit, n.burnin = burnin, scale = 0)
top_formula <- gsub("\\s+", " ", as.character(mp$table$model_formula[1]))
top_prob <- as.numeric(mp$table$prob.Freq[1])
q <- quantile(tp$TOT, c(0.025, 0.5, 0.975), names = FALSE)
n <- sum(d$count)
acc <- mean(fit$rj_acc)
num <- function(x) format(x, digits = 10, scientific = FALSE)
strata <- ""
if (length(covariates) > 0) {
  # Posterior mean of each covariate stratum's total: its observed count plus its missing cell.
  y0 <- as.matrix(fit$Y0)[-(1:burnin), , drop = FALSE]
  miss <- fit$missing1
  lab <- apply(df[miss, safe_covs, drop = FALSE], 1, function(r) paste(paste0(covariates, "=", r), collapse = ", "))
  means <- sapply(seq_along(miss), function(i) {
    same <- apply(df[, safe_covs, drop = FALSE], 1, function(r) all(r == df[miss[i], safe_covs]))
    sum(df$y[same], na.rm = TRUE) + mean(y0[, i])
  })
  strata <- paste0(', "strata": {', paste(sprintf('"%s": %s', lab, num(means)), collapse = ", "), "}")
}
cat(sprintf(paste0(
  '{"peer": "conting", "version": "%s", "table": "%s", "k": %d, "observed": %s, ',
  '"maximal_order": %d, "covariates": [%s], "prior": "%s", "iterations": %s, "burnin": %s, "seed": %s, ',
  '"estimate": %s, "posterior_median": %s, "posterior_mean": %s, ',
  '"interval": [%s, %s], "interval_kind": "95%% HPD (total_pop)", ',
  '"equal_tailed": [%s, %s], "models_visited": %d, "top_model": "%s", "top_model_prob": %s, ',
  '"rj_acceptance": %s, "mh_acceptance": %s, "seconds": %s, "cpu_seconds": %s, "bict_seconds": %s, "load_seconds": %s%s}\n'),
  as.character(packageVersion("conting")), path, K, num(n), order,
  paste(sprintf('"%s"', covariates), collapse = ", "), prior, num(iterations), num(burnin),
  num(seed), num(q[2]), num(q[2]), num(tp$meanTOT), num(tp$int[1]), num(tp$int[2]), num(q[1]),
  num(q[3]), length(unique(fit$MODEL[-(1:burnin)])), top_formula, num(top_prob), num(acc),
  num(mean(fit$mh_acc)), num(seconds), num(cpu_seconds), num(fit$time), num(load_seconds), strata))
