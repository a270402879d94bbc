// The tests drive real Linux components (Postgres, Docker, the builder sandbox).
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
