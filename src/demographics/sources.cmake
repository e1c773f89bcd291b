set(FS_SRC lexicon.c map.c names.c swap.c)
