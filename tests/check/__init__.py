"""Tests of `kb check`: one deliberately broken input per case, each with its exact position."""
