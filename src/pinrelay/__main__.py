"""`python -m pinrelay`: the same as the `pinrelay` command."""

from pinrelay.cli import main

main()
