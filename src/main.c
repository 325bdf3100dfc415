/*
 * main.c - the ggen executable: everything happens in the command table.
 */
#include "cli/cli.h"

int main(int argc, char **argv)
{
	return gg_cli_main(argc, argv);
}
