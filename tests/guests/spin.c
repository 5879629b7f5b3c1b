// spin: loops forever; run with --max-fuel to see it stopped with "out of fuel".
int main(void) {
  volatile unsigned counter = 0;
  for (;;) ++counter;
}
