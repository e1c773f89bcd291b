set(FS_SRC main.c nb.c opts.c request.c server.c)
