// Wiring only: the CLI does the rest.
#include "cli/commands.h"

int main(int argc, char** argv) { return orchard::cli::Main(argc, argv); }
