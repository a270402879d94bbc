using BuildsRs.Contracts.Jobs;

namespace BuildsRs.Builder.Jobs.Classification;

/// <summary>
/// The binary targets cargo sees in a package, by cargo's own rules: <c>src/main.rs</c> is a binary named after the
/// package, each <c>src/bin/*.rs</c> and <c>src/bin/*/main.rs</c> one named after the file or folder (dot-files aside);
/// declared <c>[[bin]]</c> targets come first, and the inferred ones join them unless <c>autobins</c> is false (which it
/// is by default in the 2015 edition once any target is declared). A declared target without a path takes the inferred
/// one of its name, or in 2015 the old default paths. Where cargo would stop with an error, so does this.
/// </summary>
public static class CargoTargets
{
    /// <summary>Names cargo keeps for its own build folders.</summary>
    private static readonly HashSet<string> Reserved = ["deps", "examples", "build", "incremental"];

    public static IReadOnlyList<string> BinariesOf(PackageManifest package, IReadOnlySet<string> files)
    {
        var inferred = Inferred(package.Name, files);
        List<DeclaredBin> bins;
        if (package.Bins is not { } declared)
        {
            bins = package.AutoBins == false ? [] : [.. inferred.Select(i => new DeclaredBin(i.Name, i.Path))];
        }
        else
        {
            bins = [.. declared];
            var discover = package.AutoBins ?? package.Edition != "2015";
            if (discover)
            {
                var names = declared.Select(b => b.Name).ToHashSet();
                var paths = declared.Select(b => b.Path is null ? null : Normalize(b.Path)).ToHashSet();
                bins.AddRange(inferred.Where(i => !names.Contains(i.Name) && !paths.Contains(i.Path)).Select(i => new DeclaredBin(i.Name, i.Path)));
            }
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var bin in bins)
        {
            var name = bin.Name ?? throw Invalid("binary target bin.name is required");
            if (name.Trim().Length == 0)
            {
                throw Invalid("binary target names cannot be empty");
            }
            if (Reserved.Contains(name))
            {
                throw Invalid($"the binary target name `{name}` is forbidden, it conflicts with cargo's build directory names");
            }
            if (!seen.Add(name))
            {
                throw Invalid($"found duplicate binary name {name}, but all binary targets must have a unique name");
            }
            if (bin.Path is null)
            {
                PathOf(name, inferred, package, files);
            }
        }
        if (bins.Count == 0 && !package.HasLib && !files.Contains("src/lib.rs") && !package.HasOtherTargets
            && !files.Any(f => OtherTargetFolders.Any(folder => f.StartsWith(folder, StringComparison.Ordinal)) && f.EndsWith(".rs", StringComparison.Ordinal)))
        {
            throw Invalid("no targets specified in the manifest");
        }
        return [.. bins.Select(b => b.Name!)];
    }

    /// <summary>Where cargo finds examples, tests and benchmarks: a package with only those still has targets.</summary>
    private static readonly string[] OtherTargetFolders = ["examples/", "tests/", "benches/"];

    /// <summary>The path a declared target without one takes; cargo does not check that a given path exists.</summary>
    private static string PathOf(string name, IReadOnlyList<(string Name, string Path)> inferred, PackageManifest package, IReadOnlySet<string> files)
    {
        var matching = inferred.Where(i => i.Name == name).Select(i => i.Path).Take(2).ToList();
        if (matching.Count == 1)
        {
            return matching[0];
        }
        if (package.Edition == "2015" && Legacy(name, package, files) is { } legacy)
        {
            return legacy;
        }
        throw Invalid(matching.Count == 0
            ? $"can't find `{name}` bin at `src/bin/{name}.rs` or `src/bin/{name}/main.rs`"
            : $"cannot infer path for `{name}` bin: multiple target files found");
    }

    /// <summary>The 2015 edition's old defaults for a binary's path.</summary>
    private static string? Legacy(string name, PackageManifest package, IReadOnlySet<string> files)
    {
        var hasLib = package.HasLib || files.Contains("src/lib.rs");
        string[] candidates = hasLib ? ["src/main.rs", "src/bin/main.rs"] : [$"src/{name}.rs", "src/main.rs", "src/bin/main.rs"];
        return candidates.FirstOrDefault(files.Contains);
    }

    private static List<(string Name, string Path)> Inferred(string package, IReadOnlySet<string> files)
    {
        var inferred = new List<(string Name, string Path)>();
        if (files.Contains("src/main.rs"))
        {
            inferred.Add((package, "src/main.rs"));
        }
        // Entries of src/bin/ as cargo lists a directory: files ending in .rs, and folders with a main.rs.
        var entries = files.Where(f => f.StartsWith("src/bin/", StringComparison.Ordinal))
            .Select(f => f["src/bin/".Length..].Split('/')[0]).Distinct(StringComparer.Ordinal)
            .Where(entry => !entry.StartsWith('.'));
        foreach (var entry in entries)
        {
            if (files.Contains($"src/bin/{entry}"))
            {
                if (entry.EndsWith(".rs", StringComparison.Ordinal) && entry.Length > 3)
                {
                    inferred.Add((entry[..^3], $"src/bin/{entry}"));
                }
            }
            else if (files.Contains($"src/bin/{entry}/main.rs"))
            {
                inferred.Add((entry, $"src/bin/{entry}/main.rs"));
            }
        }
        return inferred;
    }

    private static string Normalize(string path)
    {
        path = path.Replace('\\', '/');
        while (path.StartsWith("./", StringComparison.Ordinal))
        {
            path = path[2..];
        }
        return path;
    }

    private static JobFailedException Invalid(string reason) => new(JobOutcome.BuildFailed, $"cargo would refuse the manifest: {reason}");
}
