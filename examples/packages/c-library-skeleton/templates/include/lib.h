#ifndef {{lib_name}}_H
#define {{lib_name}}_H
/* Returns a + b. */
int {{lib_name}}_add(int a, int b);
#endif
