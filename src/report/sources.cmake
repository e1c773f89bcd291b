set(FS_SRC report_md.c report_fmt.c report_html.c report_diff.c report_write.c report_junit.c report_compare.c)
