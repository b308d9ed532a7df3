"""What every layer uses: errors, pixels, values, seeded determinism, the models, the declared
settings and the component registries."""
