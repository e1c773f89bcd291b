/* fairshake: the command line over the library. Each subcommand has one option table
 * that drives both argument parsing and its --help text. Nothing here computes
 * anything; it parses, calls the library and prints. */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

static const cli_opt run_opts[] = {
    { "out", "DIR", false,
      "write the reports (and the default run store) under DIR instead of "
      "report.dir" },
    { "resume", NULL, false, "continue the run in the existing store (the default)" },
    { "fresh", NULL, false, "discard the existing run store and start over" },
    { "concurrency", "N", false, "requests in flight at most (overrides run.concurrency)" },
    { "limit", "N", false, "use only the first N records of the dataset" },
    { "dry-run", NULL, false,
      "print how many requests the config sends, per target and "
      "condition, and send nothing" },
    { "quiet", NULL, false, "print nothing but errors" },
    { "help", NULL, false, "show this help" },
    { NULL, NULL, false, NULL },
};
static const cli_opt validate_opts[] = {
    { "help", NULL, false, "show this help" },
    { NULL, NULL, false, NULL },
};
static const cli_opt perturb_opts[] = {
    { "text", "TEXT", false, "the input text" },
    { "input", "FILE", false,
      "read one record per line: plain text, or JSONL with a \"text\" "
      "field (and an optional \"id\")" },
    { "suite", "NAME[,NAME...]", false,
      "perturbations to apply (see 'fairshake list "
      "perturbations')" },
    { "param", "KEY=VALUE", true, "set a parameter of the chosen perturbations, e.g. rate=0.1" },
    { "protect", "PATTERN", true,
      "never perturb matches of an ICU regex, or of a preset such as @url, @email, @number "
      "(perturbations/protect.json); an axis suite swaps no mention inside one" },
    { "seed", "N", false, "seed (default 0)" },
    { "n", "K", false, "variants per record and suite (default 1)" },
    { "json", NULL, false, "print one JSON object per variant" },
    { "help", NULL, false, "show this help" },
    { NULL, NULL, false, NULL },
};
static const cli_opt identify_opts[] = {
    { "text", "TEXT", false, "the input text" },
    { "input", "FILE", false,
      "read one record per line: plain text, or JSONL with a \"text\" field (and an optional "
      "\"id\")" },
    { "categories", "C[,C...]", false,
      "detect only these categories (default: all of identify/patterns.json)" },
    { "patterns", "FILE", false,
      "your own patterns file (the format of identify/patterns.json): its categories are added, "
      "or replace the bundled ones of the same name" },
    { "json", NULL, false, "print one JSON object per record: id and items" },
    { "help", NULL, false, "show this help" },
    { NULL, NULL, false, NULL },
};
static const cli_opt list_opts[] = {
    { "help", NULL, false, "show this help" },
    { NULL, NULL, false, NULL },
};
static const cli_opt report_opts[] = {
    { "format", "FMT[,FMT...]", false,
      "formats to write: json, md, html, junit, csv (default: the config's)" },
    { "help", NULL, false, "show this help" },
    { NULL, NULL, false, NULL },
};
static const cli_opt compare_opts[] = {
    { "out", "DIR", false,
      "write compare.json, compare.md and compare.html under DIR (default: RUN_B)" },
    { "help", NULL, false, "show this help" },
    { NULL, NULL, false, NULL },
};

static const cli_opt score_opts[] = {
    { "task", "TASK", false,
      "classification, qa, summarization, translation or language-modeling" },
    { "input", "FILE", false,
      "JSON Lines, one item per line: {\"prediction\", \"references\"} (classification: "
      "\"label\"; language-modeling: \"logprobs\")" },
    { "metrics", "M[,M...]", false, "metrics to compute (default: the task's standard set)" },
    { "param", "KEY=VALUE", true,
      "an option of the reference implementation, e.g. tokenize=13a, use_stemmer=true, "
      "zero_division=1, 'labels=[\"neg\",\"pos\"]'" },
    { "per-item", NULL, false, "add \"per_item\": the scores of each line" },
    { "help", NULL, false, "show this help" },
    { NULL, NULL, false, NULL },
};

static const cli_cmd commands[] = {
    { "run",
      "CONFIG [--out DIR] [--resume|--fresh] [--concurrency N] [--limit N] [--dry-run] [--quiet]",
      "run the audit a config describes and write its reports", run_opts, 1, cli_cmd_run,
      "Exit status: 0 success and every gate passed; 1 a gate failed; 2 bad usage, config or\n"
      "input; 3 the run could not finish (the store keeps every answer: run again to resume)." },
    { "validate", "CONFIG", "check a config and its dataset without calling the model",
      validate_opts, 1, cli_cmd_validate, NULL },
    { "perturb",
      "(--text TEXT | --input FILE) --suite NAME[,NAME...] [--param KEY=VALUE]... "
      "[--protect PATTERN]... [--seed N] [--n K] [--json]",
      "preview perturbations", perturb_opts, 0, cli_cmd_perturb,
      "Without --json, a single suite with --n 1 prints one variant per line; otherwise each\n"
      "line is 'SUITE[#K]: VARIANT'. Record ids are the 1-based line numbers (or the JSONL\n"
      "\"id\"), so a preview matches what 'fairshake run' sends for the same seed." },
    { "score", "--task TASK --input FILE [--metrics M[,M...]] [--param KEY=VALUE]... [--per-item]",
      "score existing predictions, without a model", score_opts, 0, cli_cmd_score,
      "Prints one JSON object: \"task\", \"n\" and the corpus-level scores, each on its\n"
      "reference implementation's scale (docs/score.md). Metrics (* default):\n"
      "  classification     accuracy*, per_class*, macro*, micro*, weighted*, confusion_matrix\n"
      "  qa                 exact_match*, f1* (SQuAD v1.1; a null prediction is unanswered)\n"
      "  summarization      rouge1*, rouge2*, rougeL*, rougeLsum*\n"
      "  translation        bleu*, chrf*\n"
      "  language-modeling  n_tokens*, sum_logprob*, mean_nll*, perplexity*, mean_perplexity*,\n"
      "                     word_perplexity, byte_perplexity, bits_per_byte (need \"text\")\n"
      "Parameters: BLEU tokenize, smooth_method, smooth_value, lowercase, effective_order;\n"
      "chrF char_order, word_order, beta, lowercase, whitespace, eps_smoothing; ROUGE\n"
      "use_stemmer, split_summaries; classification zero_division, labels (a JSON array);\n"
      "language-modeling log_base (e, 2, 10). A bad line stops with 'FILE:LINE: FIELD: problem'\n"
      "and exit status 2." },
    { "identify", "(--text TEXT | --input FILE) [--categories C[,C...]] [--patterns FILE] [--json]",
      "find sensitive data items (names, e-mails, phone numbers, dates, record numbers ...)",
      identify_opts, 0, cli_cmd_identify,
      "Each item is printed as CATEGORY, START, END and TEXT separated by tabs (after the\n"
      "record id with --input); START and END count Unicode code points, END exclusive.\n"
      "Categories: person, email, phone, payment_card, iban, ssn, ip_address, url, date,\n"
      "postal_code, mrn, identifier, icd10 (see docs/identification.md)." },
    { "list", "(perturbations|axes|metrics|targets)", "list what this fairshake provides",
      list_opts, 1, cli_cmd_list, NULL },
    { "report", "RUN_DIR [--format json,md,html,junit,csv]",
      "rebuild the reports of a run from its store, without calling the model", report_opts, 1,
      cli_cmd_report, NULL },
    { "compare", "RUN_A RUN_B [--out DIR]",
      "compare two runs side by side (RUN_A the baseline, RUN_B the candidate)", compare_opts, 2,
      cli_cmd_compare,
      "Both runs are read from their stores; the model is not called. For each target and\n"
      "perturbation: both runs' metrics and the difference (candidate minus baseline). When\n"
      "the two stores hold the same variants (same record, perturbation and text), the\n"
      "accuracy difference gets a paired test (exact McNemar) and a paired bootstrap 95%\n"
      "interval; otherwise an unpaired test, with a note saying why." },
};

#define N_COMMANDS (sizeof commands / sizeof commands[0])

static int opt_index(const cli_cmd *cmd, const char *name)
{
    for (int i = 0; cmd->opts[i].name != NULL; i++) {
        if (strcmp(cmd->opts[i].name, name) == 0) {
            return i;
        }
    }
    return -1;
}

const char *cli_get(const cli_cmd *cmd, const cli_args *a, const char *name)
{
    int i = opt_index(cmd, name);
    return (i >= 0 && a->counts[i] > 0) ? a->values[i][a->counts[i] - 1] : NULL;
}

size_t cli_get_all(const cli_cmd *cmd, const cli_args *a, const char *name, const char *const **out)
{
    int i = opt_index(cmd, name);
    *out = i >= 0 ? a->values[i] : NULL;
    return i >= 0 ? a->counts[i] : 0;
}

bool cli_flag(const cli_cmd *cmd, const cli_args *a, const char *name)
{
    int i = opt_index(cmd, name);
    return i >= 0 && a->counts[i] > 0;
}

void cli_print_help(FILE *f, const cli_cmd *cmd)
{
    fprintf(f, "usage: fairshake %s %s\n\n%s.\n\noptions:\n", cmd->name, cmd->synopsis,
            cmd->summary);
    for (const cli_opt *o = cmd->opts; o->name != NULL; o++) {
        char left[64];
        snprintf(left, sizeof left, "--%s%s%s", o->name, o->arg ? " " : "", o->arg ? o->arg : "");
        fprintf(f, "  %-28s %s%s\n", left, o->help, o->repeat ? " (repeatable)" : "");
    }
    if (cmd->details != NULL) {
        fprintf(f, "\n%s\n", cmd->details);
    }
}

static void print_main_help(FILE *f)
{
    fprintf(f, "usage: fairshake COMMAND [ARGS]\n\n"
               "fairshake stress-tests a model before it ships: it makes noisy and adversarial\n"
               "variants of a dataset's inputs, sends them to the model and reports how much\n"
               "worse it does.\n\ncommands:\n");
    for (size_t i = 0; i < N_COMMANDS; i++) {
        fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
    }
    fprintf(f, "\nRun 'fairshake COMMAND --help' for a command's options. "
               "'fairshake --version' prints the version, 'fairshake --man' the man page.\n");
}

/* Roff text: a leading '.' or '\'' is escaped, as are backslashes and hyphens. */
static void man_text(FILE *f, const char *s)
{
    bool line_start = true;
    for (const char *p = s; *p != '\0'; p++) {
        if (line_start && (*p == '.' || *p == '\'')) {
            fputs("\\&", f);
        }
        if (*p == '\\') {
            fputs("\\e", f);
        } else if (*p == '-') {
            fputs("\\-", f);
        } else {
            fputc(*p, f);
        }
        line_start = *p == '\n';
    }
}

/* The man page, from the same tables as --help (docs/fairshake.1 is this output). */
static void print_man(FILE *f)
{
    fprintf(f, ".TH FAIRSHAKE 1 \"\" \"fairshake %s\" \"User Commands\"\n", fs_version());
    fputs(".SH NAME\nfairshake \\- stress\\-test a model before it ships\n.SH SYNOPSIS\n", f);
    for (size_t i = 0; i < N_COMMANDS; i++) {
        fprintf(f, ".B fairshake %s\n", commands[i].name);
        man_text(f, commands[i].synopsis);
        fputs("\n.br\n", f);
    }
    fputs(".SH DESCRIPTION\nfairshake makes noisy and adversarial variants of a dataset's "
          "inputs, sends them to the model under test and reports how much worse it does.\n"
          ".SH COMMANDS\n",
          f);
    for (size_t i = 0; i < N_COMMANDS; i++) {
        const cli_cmd *c = &commands[i];
        fprintf(f, ".SS %s\n", c->name);
        man_text(f, c->summary);
        fputs(".\n", f);
        for (const cli_opt *o = c->opts; o->name != NULL; o++) {
            fprintf(f, ".TP\n.B \\-\\-");
            man_text(f, o->name);
            if (o->arg != NULL) {
                fputs(" ", f);
                man_text(f, o->arg);
            }
            fputs("\n", f);
            man_text(f, o->help);
            fputs(o->repeat ? " (repeatable)\n" : "\n", f);
        }
        if (c->details != NULL) {
            fputs(".PP\n", f);
            man_text(f, c->details);
            fputs("\n", f);
        }
    }
    fputs(".SH EXIT STATUS\n0 success and every gate passed; 1 a gate failed; 2 bad usage, "
          "config or input; 3 the run could not finish.\n"
          ".SH SEE ALSO\n.BR fairshake\\-refmodel (1)\n",
          f);
}

static int parse_args(const cli_cmd *cmd, int argc, char **argv, cli_args *a)
{
    memset(a, 0, sizeof *a);
    for (int i = 0; i < argc; i++) {
        const char *s = argv[i];
        if (strncmp(s, "--", 2) != 0 || s[2] == '\0') {
            if (a->n_positional == sizeof a->positional / sizeof a->positional[0]) {
                return cli_usage(cmd, "too many arguments");
            }
            a->positional[a->n_positional++] = s;
            continue;
        }
        char name[64];
        const char *eq = strchr(s + 2, '=');
        size_t n = eq ? (size_t)(eq - s - 2) : strlen(s + 2);
        snprintf(name, sizeof name, "%.*s", (int)n, s + 2);
        int k = opt_index(cmd, name);
        if (k < 0) {
            return cli_usage(cmd, "unknown option '--%s'", name);
        }
        const char *val = "";
        if (cmd->opts[k].arg != NULL) {
            val = eq ? eq + 1 : (i + 1 < argc ? argv[++i] : NULL);
            if (val == NULL) {
                return cli_usage(cmd, "--%s needs a value (%s)", name, cmd->opts[k].arg);
            }
        } else if (eq != NULL) {
            return cli_usage(cmd, "--%s takes no value", name);
        }
        if (a->counts[k] > 0 && !cmd->opts[k].repeat) {
            a->counts[k] = 0;
        }
        if (a->counts[k] == CLI_MAX_VALUES) {
            return cli_usage(cmd, "--%s given too many times", name);
        }
        a->values[k][a->counts[k]++] = val;
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        print_main_help(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (strcmp(argv[1], "--man") == 0) {
        print_man(stdout);
        return 0;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("fairshake %s\n", fs_version());
        return 0;
    }
    for (size_t i = 0; i < N_COMMANDS; i++) {
        const cli_cmd *cmd = &commands[i];
        if (strcmp(argv[1], cmd->name) != 0) {
            continue;
        }
        static cli_args args;
        int rc = parse_args(cmd, argc - 2, argv + 2, &args);
        if (rc != 0) {
            return rc;
        }
        if (cli_flag(cmd, &args, "help")) {
            cli_print_help(stdout, cmd);
            return 0;
        }
        if (args.n_positional < cmd->n_positional) {
            return cli_usage(cmd, "missing argument");
        }
        fs_error err;
        fs_error_clear(&err);
        if (fs_target_global_init(&err) != FS_OK) {
            return cli_fail(err.code, &err);
        }
        rc = cmd->run(cmd, &args);
        fs_target_global_cleanup();
        return rc;
    }
    const char *names[N_COMMANDS];
    for (size_t i = 0; i < N_COMMANDS; i++) {
        names[i] = commands[i].name;
    }
    const char *near = fs_nearest(argv[1], names, N_COMMANDS);
    fprintf(stderr, "fairshake: unknown command '%s'%s%s%s\nrun 'fairshake --help' for the list\n",
            argv[1], near ? " (did you mean '" : "", near ? near : "", near ? "'?)" : "");
    return 2;
}
