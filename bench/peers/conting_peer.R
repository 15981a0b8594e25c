#!/usr/bin/env Rscript
# The conting peer of `joindots estimate` (bench only; run by bench/peers/run).
#
# conting's bict (Overstall & King 2014, J. Stat. Softw. 58(7)): Bayesian log-linear model
# averaging for an incomplete contingency table. Reversible-jump MCMC over the hierarchical
# models under a maximal model, with data augmentation of the unobserved cell; the total
# N is a posterior sample, reported as its median, mean, 95% highest posterior density
# interval (conting's total_pop) and equal-tailed 95% interval.
#
#   conting_peer.R TABLE.csv [ITERATIONS=10000] [BURNIN=ITERATIONS/10] [SEED=1] [ORDER]
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
if (length(args) < 1) stop("usage: conting_peer.R TABLE.csv [ITERATIONS] [BURNIN] [SEED] [ORDER]")
path <- args[1]
iterations <- if (length(args) >= 2) as.numeric(args[2]) else 10000
burnin <- if (length(args) >= 3) as.numeric(args[3]) else iterations / 10
seed <- if (length(args) >= 4) as.numeric(args[4]) else 1

t0 <- proc.time()[["elapsed"]]
cpu <- function() sum(proc.time()[c("user.self", "sys.self")])
cpu0 <- cpu()
d <- read.csv(path, check.names = FALSE)
lists <- setdiff(names(d), "count")
K <- length(lists)
order <- if (length(args) >= 5) as.numeric(args[5]) else 2
order <- min(order, K - 1)  # the K-way term is never identifiable

# All 2^K patterns, list 1 varying fastest; the all-zero cell is the missing one (y = NA).
safe <- make.names(lists, unique = TRUE)
grid <- expand.grid(rep(list(0:1), K))
names(grid) <- safe
key <- function(m) apply(m, 1, paste, collapse = "")
y <- d$count[match(key(grid), key(d[, lists, drop = FALSE]))]
y[is.na(y)] <- 0
y[rowSums(grid) == 0] <- NA
df <- data.frame(y = y)
for (l in safe) df[[l]] <- factor(ifelse(grid[[l]] == 1, "obs", "un"), levels = c("un", "obs"))
f <- as.formula(paste0("y ~ (", paste(safe, collapse = " + "), ")^", order))

set.seed(seed)
fit <- bict(f, data = df, n.sample = iterations)
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
cat(sprintf(paste0(
  '{"peer": "conting", "version": "%s", "table": "%s", "k": %d, "observed": %s, ',
  '"maximal_order": %d, "prior": "SBH", "iterations": %s, "burnin": %s, "seed": %s, ',
  '"estimate": %s, "posterior_median": %s, "posterior_mean": %s, ',
  '"interval": [%s, %s], "interval_kind": "95%% HPD (total_pop)", ',
  '"equal_tailed": [%s, %s], "models_visited": %d, "top_model": "%s", "top_model_prob": %s, ',
  '"rj_acceptance": %s, "seconds": %s, "cpu_seconds": %s, "bict_seconds": %s, "load_seconds": %s}\n'),
  as.character(packageVersion("conting")), path, K, num(n), order, num(iterations), num(burnin),
  num(seed), num(q[2]), num(q[2]), num(tp$meanTOT), num(tp$int[1]), num(tp$int[2]), num(q[1]),
  num(q[3]), length(unique(fit$MODEL[-(1:burnin)])), top_formula, num(top_prob), num(acc),
  num(seconds), num(cpu_seconds), num(fit$time), num(load_seconds)))
