// return_code: main returns 7, which wasi-libc's _start turns into proc_exit(7).
int main(void) { return 7; }
