"""Tests of pinrelay.pinterest (a package, so test module names cannot clash with other stages)."""
