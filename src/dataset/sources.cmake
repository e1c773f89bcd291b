set(FS_SRC dataset.c jsonl.c csv.c squad.c wmt.c)
