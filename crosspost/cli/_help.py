"""`crosspost --help` as click renders it at 80 columns, answered by `crosspost.cli` without
importing click. Generated; `tests/test_cli.py::test_the_fast_help_is_clicks_own` fails when it
is stale and rewrites it when run with CROSSPOST_UPDATE_HELP=1."""

TEXT = (
    "Usage: crosspost [OPTIONS] COMMAND [ARGS]...\n"
    "\n"
    "  Cross-post Markdown blog posts to dev.to, Hashnode, Medium-style APIs,\n"
    "  Mastodon and Bluesky.\n"
    "\n"
    "Options:\n"
    "  --version      Show the version and exit.\n"
    "  -v, --verbose  Log to stderr: -v what crosspost does, -vv every HTTP request\n"
    "                 too (tokens masked).\n"
    "  -h, --help     Show this message and exit.\n"
    "\n"
    "Commands:\n"
    "  check      Check the config and posts (default: the content folder)...\n"
    "  doctor     Check each configured platform's token before publishing:...\n"
    "  init       Write a commented crosspost.toml for the blog in DIRECTORY...\n"
    "  login      Store PLATFORM's token in the system keyring (prompted,...\n"
    "  logout     Remove PLATFORM's token from the system keyring.\n"
    "  platforms  List the installed platforms, whether they are configured...\n"
    "  preview    Show POST as crosspost reads it: the portable body and every...\n"
    "  publish    Publish posts (files or folders; default: the content...\n"
    "  records    Maintain the records file (.crosspost/records.json).\n"
    "  sandbox    Run the fake platforms in the foreground and print how to...\n"
    "  status     Show the records; with --refresh compare them with the...\n"
)
