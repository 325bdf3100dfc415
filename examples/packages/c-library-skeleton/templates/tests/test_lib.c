#include <assert.h>
#include "{{lib_name}}.h"

int main(void)
{
	assert({{lib_name}}_add(2, 3) == 5);
	return 0;
}
