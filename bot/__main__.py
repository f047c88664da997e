from bot.cli import main

# The guard matters: the ingest writer's child process (spawn) imports this module again.
if __name__ == "__main__":
    raise SystemExit(main())
