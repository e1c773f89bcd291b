/* fairshake validate, list and report. */
#include "cli.h"

#include <string.h>

int cli_cmd_validate(const cli_cmd *cmd, cli_args *a)
{
    fs_error err;
    fs_error_clear(&err);
    if (a->n_positional != 1) {
        return cli_usage(cmd, "expected one CONFIG");
    }
    fs_status st = fs_audit_validate(a->positional[0], NULL, &err);
    if (st != FS_OK) {
        return cli_fail(st, &err);
    }
    printf("%s: valid\n", a->positional[0]);
    return 0;
}

static void list_perturbations(void)
{
    const fs_perturb_info *cat = NULL;
    size_t n = fs_perturb_catalogue(&cat);
    for (size_t i = 0; i < n; i++) {
        printf("%-14s %-12s %s\n", cat[i].name, fs_perturb_family_name(cat[i].family),
               cat[i].description);
        for (size_t k = 0; k < cat[i].n_params; k++) {
            printf("    %s=%s  %s\n", cat[i].params[k].name, cat[i].params[k].default_value,
                   cat[i].params[k].description);
        }
    }
}

static int list_axes(void)
{
    fs_demog_lexicon *lex = NULL;
    fs_error err;
    fs_error_clear(&err);
    fs_status st = fs_demog_lexicon_load(&lex, fs_audit_data_dir(), &err);
    if (st != FS_OK) {
        return cli_fail(st, &err);
    }
    for (size_t i = 0; i < fs_demog_axis_count(lex); i++) {
        printf("%-20s %s\n", fs_demog_axis_name(lex, i), fs_demog_axis_description(lex, i));
        printf("    groups:");
        for (size_t g = 0; g < fs_demog_group_count(lex, i); g++) {
            printf(" %s%s", fs_demog_group_name(lex, i, g),
                   fs_demog_group_optional(lex, i, g) ? " (optional)" : "");
        }
        printf("\n");
    }
    fs_demog_lexicon_free(lex);
    return 0;
}

int cli_cmd_list(const cli_cmd *cmd, cli_args *a)
{
    const char *what = a->positional[0];
    if (a->n_positional != 1) {
        return cli_usage(cmd, "expected one of perturbations, axes, metrics, targets");
    }
    if (strcmp(what, "perturbations") == 0) {
        list_perturbations();
    } else if (strcmp(what, "metrics") == 0) {
        printf("classification (task classification; docs/metrics.md):\n"
               "  accuracy           share of records labelled correctly (parse failures are "
               "wrong)\n"
               "  macro_f1           unweighted mean of per-class F1\n"
               "  precision, recall, f1 per class; macro, micro and weighted averages\n"
               "qa:\n"
               "  exact_match, f1    SQuAD v1.1 normalisation, best over the gold answers\n"
               "summarization:\n"
               "  rouge1, rouge2, rougeL, rougeLsum  rouge-score F (precision and recall too)\n"
               "translation:\n"
               "  bleu, chrf         sacreBLEU corpus BLEU (13a) and chrF, as fractions\n"
               "language-modeling:\n"
               "  perplexity         exp of the mean negative log-probability per token "
               "(lower is better)\n"
               "identification:\n"
               "  recall, precision, f1  items listed by category (exact, overlap and "
               "category matching in the report)\n"
               "generation:\n"
               "  (none)             answers, changes and fairness divergence only\n");
    } else if (strcmp(what, "targets") == 0) {
        printf("openai-chat          POST an OpenAI chat completion (url, model, params)\n"
               "openai-completions   POST an OpenAI completion (logprobs, echo)\n"
               "rest                 POST any JSON body (body_template, headers, "
               "answer_pointer)\n"
               "exec                 a local program, one JSON line in and out (command, "
               "processes)\n");
    } else if (strcmp(what, "axes") == 0) {
        return list_axes();
    } else {
        return cli_usage(cmd, "unknown list '%s' (perturbations, axes, metrics, targets)", what);
    }
    return 0;
}

int cli_cmd_report(const cli_cmd *cmd, cli_args *a)
{
    const char *formats[8];
    size_t n = 0;
    char buf[256];
    fs_audit_result res;
    fs_error err;
    fs_error_clear(&err);
    if (a->n_positional != 1) {
        return cli_usage(cmd, "expected one RUN_DIR");
    }
    const char *fmt = cli_get(cmd, a, "format");
    if (fmt != NULL) {
        snprintf(buf, sizeof buf, "%s", fmt);
        for (char *p = buf; p != NULL && *p != '\0' && n < 8;) {
            char *comma = strchr(p, ',');
            if (comma != NULL) {
                *comma = '\0';
            }
            static const char *const known[] = { "json", "md", "html", "junit", "csv" };
            bool ok = false;
            for (size_t k = 0; k < sizeof known / sizeof known[0]; k++) {
                ok = ok || strcmp(p, known[k]) == 0;
            }
            if (!ok) {
                return cli_usage(cmd, "--format: unknown format '%s' (json, md, html, junit, csv)",
                                 p);
            }
            formats[n++] = p;
            p = comma ? comma + 1 : NULL;
        }
    }
    fs_status st = fs_audit_report(a->positional[0], fmt ? formats : NULL, n, &res, &err);
    if (st != FS_OK) {
        return cli_fail(st, &err);
    }
    printf("%s/report.json\n", res.report_dir);
    cli_print_failed_gates(&res);
    return res.gates_failed > 0 ? 1 : 0;
}
