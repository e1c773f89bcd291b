set(FS_SRC load.c months.c detect.c validate.c date.c person.c score.c answer.c locate.c disclose.c mask.c prefilter.c)
