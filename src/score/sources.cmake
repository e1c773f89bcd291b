set(FS_SRC classification.c robustness.c bleu.c chrf.c ngram.c fairness.c fairness_pairs.c porter.c rouge.c squad.c perplexity.c)
