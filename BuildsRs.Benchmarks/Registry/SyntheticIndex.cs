using System.Globalization;
using System.Text.Json;
using BuildsRs.Contracts;
using BuildsRs.Contracts.Registry;
using BuildsRs.Data.Bulk;

namespace BuildsRs.Benchmarks.Registry;

/// <summary>
/// A deterministic index shaped like crates.io's: name lengths of 2-40 characters (most 6-16), versions per crate
/// skewed (most have a few, some hundreds; about 8 on average), dependency lists of 0-30 entries with optional,
/// renamed, build, dev and target-specific ones, and feature tables, some in the <c>features2</c> syntax.
/// The same seed always gives the same crates, so every measurement reads identical rows.
/// </summary>
internal sealed class SyntheticIndex(int crates, int versions, int seed = 42)
{
    private const string NameCharacters = "abcdefghijklmnopqrstuvwxyz";

    public IEnumerable<SyntheticCrate> Crates()
    {
        var random = new Random(seed);
        var names = new List<string>(crates);
        var taken = new HashSet<string>(StringComparer.Ordinal);
        while (names.Count < crates)
        {
            var name = RandomName(random);
            if (taken.Add(CrateName.Normalize(name)))
            {
                names.Add(name);
            }
        }

        var remaining = versions;
        for (var i = 0; i < crates; i++)
        {
            var left = crates - i;
            // Skewed around the average of what is left, so the total lands on the requested count.
            var average = (double)remaining / left;
            var count = left == 1 ? remaining : Math.Clamp((int)(-Math.Log(1 - random.NextDouble()) * average), 1, Math.Min(800, remaining - (left - 1)));
            remaining -= count;
            yield return new SyntheticCrate(names[i], Enumerable.Range(0, count).Select(v => Version(random, names, v)).ToList());
        }
    }

    private static string RandomName(Random random)
    {
        var length = Math.Clamp((int)(random.NextDouble() * random.NextDouble() * 30) + 4, 2, 40);
        var chars = new char[length];
        for (var i = 0; i < length; i++)
        {
            chars[i] = i > 0 && i < length - 1 && random.Next(8) == 0 ? (random.Next(3) == 0 ? '_' : '-') : NameCharacters[random.Next(NameCharacters.Length)];
        }
        return new string(chars);
    }

    private static IndexLine Version(Random random, List<string> names, int index)
    {
        var deps = Enumerable.Range(0, (int)(random.NextDouble() * random.NextDouble() * 30)).Select(_ =>
        {
            var name = names[random.Next(names.Count)];
            var renamed = random.Next(40) == 0;
            return new IndexDependency
            {
                Name = renamed ? name + "_renamed" : name,
                Package = renamed ? name : null,
                Req = $"^{random.Next(4)}.{random.Next(30)}",
                Features = random.Next(4) == 0 ? ["std", "derive"] : [],
                Optional = random.Next(5) == 0,
                DefaultFeatures = random.Next(6) != 0,
                Target = random.Next(12) == 0 ? "cfg(windows)" : null,
                Kind = random.Next(5) switch { 0 => "dev", 1 => "build", _ => "normal" },
            };
        }).ToList();
        var features = new Dictionary<string, List<string>>();
        var features2 = new Dictionary<string, List<string>>();
        for (var f = random.Next(6); f > 0; f--)
        {
            features[$"feature{f}"] = ["std"];
        }
        if (deps.Count > 0 && random.Next(3) == 0)
        {
            features2["extra"] = [$"dep:{deps[0].Name}", $"{deps[0].Name}?/std"];
        }
        return new IndexLine
        {
            Name = null,
            Vers = $"{index / 100}.{index / 10 % 10}.{index % 10}",
            Deps = deps,
            Cksum = Convert.ToHexStringLower(BitConverter.GetBytes(random.NextInt64())) + new string('0', 48),
            Features = features,
            Features2 = features2.Count > 0 ? features2 : null,
            V = features2.Count > 0 ? 2 : null,
            Yanked = random.Next(40) == 0,
            RustVersion = random.Next(3) == 0 ? "1.70" : null,
            PubTime = DateTimeOffset.FromUnixTimeSeconds(1_500_000_000 + random.Next(250_000_000)),
        };
    }
}

internal sealed record SyntheticCrate(string Name, List<IndexLine> Versions)
{
    /// <summary>The crate's index file, one JSON line per version.</summary>
    public string IndexFile() =>
        string.Concat(Versions.Select(v => JsonSerializer.Serialize(v with { Name = Name }, RegistryJsonContext.Default.IndexLine) + "\n"));

    /// <summary>The rows a sync would write, as the parser builds them.</summary>
    public IEnumerable<IndexVersionRow> Rows() => Versions.Select(v =>
    {
        var features = new Dictionary<string, List<string>>(v.Features!);
        foreach (var (name, values) in v.Features2 ?? [])
        {
            features[name] = values;
        }
        return new IndexVersionRow(Name, v.Vers!, v.Cksum!, v.Yanked ?? false, v.RustVersion, v.PubTime, null,
            JsonSerializer.Serialize(features, RegistryJsonContext.Default.DictionaryStringListString), v.Deps!.Count);
    });

    public string Path => IndexPath.For(Name);

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Name} ({Versions.Count} versions)");
}
