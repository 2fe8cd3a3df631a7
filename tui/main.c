/* hubtui — a terminal browser and editor for HubSpot CRM records. */
#include "cli.h"

int main(int argc, char **argv)
{
    return cli_main(argc, argv);
}
