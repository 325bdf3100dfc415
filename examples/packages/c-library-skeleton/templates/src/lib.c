#include "{{lib_name}}.h"

int {{lib_name}}_add(int a, int b)
{
	return a + b;
}
