set(FS_SRC main.c nb.c opts.c request.c server.c qa.c lead.c lm.c lm_serve.c models.c ident.c)
