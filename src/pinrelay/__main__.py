"""`python -m pinrelay`: the same as the `pinrelay` command."""

from pinrelay.cli import main

if __name__ == "__main__":  # not when a spawned import worker re-imports the main module
    main()
