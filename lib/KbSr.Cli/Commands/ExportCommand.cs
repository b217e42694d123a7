using System.CommandLine;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using KbSr.Training;

namespace KbSr.Cli.Commands;

/// <summary>`kbsr export`: turns a run's checkpoint into shippable weights (no optimiser state) plus a model card
/// (JSON): config and its hash, data, steps, wall time, hardware, seed, final losses, validation, the command.</summary>
internal static class ExportCommand
{
    public static Command Build()
    {
        var run = new Argument<string>("run") { Description = "Training run folder" };
        var which = new Option<string>("--checkpoint") { Description = "last or best", DefaultValueFactory = _ => "last" };
        var output = new Option<string>("--out") { Description = "Weights file to write (the card goes beside it as .json)", Required = true };
        var name = new Option<string?>("--name") { Description = "Name shown in tables (default: the file name)" };
        var data = new Option<string?>("--data") { Description = "Training sets, for the card (default: from the run's command.txt)" };
        var commandLine = new Option<string?>("--command") { Description = "The command that trained it, for the card (default: the first line of the run's command.txt)" };
        var note = new Option<string?>("--note") { Description = "Free text for the card (e.g. what happened during training)" };
        var command = new Command("export", "Write a run's weights without optimiser state, with a model card") { run, which, output, name, data, commandLine, note };
        command.SetAction(parse =>
        {
            var folder = new RunFolder(parse.GetValue(run)!);
            string source = parse.GetValue(which) switch
            {
                "last" => folder.LastCheckpoint,
                "best" => folder.BestCheckpoint,
                var other => throw new ArgumentException($"--checkpoint {other}: expected last or best"),
            };
            string target = parse.GetValue(output)!;
            var card = Export(folder, source, target, parse.GetValue(name), parse.GetValue(data), parse.GetValue(commandLine), parse.GetValue(note));
            Console.WriteLine($"wrote {target} ({new FileInfo(target).Length / 1024.0 / 1024.0:0.0} MiB) and {CardPath(target)}");
            Console.WriteLine(card.ToJsonString(CardJson));
            return 0;
        });
        return command;
    }

    public static string CardPath(string weights) => Path.ChangeExtension(weights, ".json");

    // Readable cards: "+" and non-ASCII stay as they are (the default encoder writes \u002B).
    private static readonly JsonSerializerOptions CardJson = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Where `train --init` keeps a copy of the starting weights' card in the run folder.</summary>
    public const string InitCardFile = "init-card.json";

    public static JsonObject Export(RunFolder run, string checkpointPath, string target, string? name, string? data, string? commandLine, string? note = null)
    {
        var inv = CultureInfo.InvariantCulture;
        using var checkpoint = Checkpoint.Read(checkpointPath);
        using (var net = checkpoint.CreateModel())
            Checkpoint.Save(target, net, checkpoint.State with { }, checkpoint.Pca);

        string commandFile = Path.Combine(run.Path, "command.txt");
        // The command that made the run (later lines are `--resume` continuations of it).
        string? recorded = File.Exists(commandFile) ? File.ReadLines(commandFile).FirstOrDefault(l => l.Length > 0) : null;
        var metrics = ReadCsv(Path.Combine(run.Path, "metrics.csv"));
        var validation = ReadCsv(Path.Combine(run.Path, "validation.csv"));
        var environment = File.Exists(run.EnvironmentFile) ? JsonNode.Parse(File.ReadAllText(run.EnvironmentFile)) : null;
        DateTimeOffset? started = environment?["started"]?.GetValue<string>() is { } s ? DateTimeOffset.Parse(s, inv) : null;
        double? wallSeconds = started is null ? null : (File.GetLastWriteTimeUtc(checkpointPath) - started.Value.UtcDateTime).TotalSeconds;

        // Final losses: the mean of the last five logged steps (single steps are noisy).
        var last = metrics.TakeLast(5).ToList();
        var finalLosses = new JsonObject();
        if (last.Count > 0)
            foreach (string key in last[0].Keys.Where(k => k is not ("step" or "learning_rate" or "phase")))
                finalLosses[key] = Rounded(last.Average(r => r[key]), 6);

        var card = new JsonObject
        {
            ["name"] = name ?? Path.GetFileNameWithoutExtension(target),
            ["file"] = Path.GetFileName(target),
            ["sha256"] = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(target))),
            ["preset"] = PresetName(checkpoint.Config),
            ["configHash"] = checkpoint.Config.Hash(),
            ["config"] = JsonNode.Parse(checkpoint.Config.ToJson()),
            ["trainingData"] = data ?? RecordedSets(run) ?? ExtractOption(recorded, "--data") ?? "unknown",
            ["validationData"] = RecordedValidation(run),
            ["steps"] = checkpoint.State.Step,
            ["seed"] = checkpoint.State.Seed,
            ["wallTimeSeconds"] = wallSeconds is null ? null : Math.Round(wallSeconds.Value),
            ["hardware"] = environment?.DeepClone(),
            ["finalLosses"] = finalLosses,
            ["lastValidation"] = validation.Count == 0 ? null : new JsonObject(validation[^1].Select(kv => KeyValuePair.Create(kv.Key, Rounded(kv.Value, 4)))),
            ["trainOptions"] = File.Exists(run.OptionsFile) ? JsonNode.Parse(File.ReadAllText(run.OptionsFile)) : null,
            ["command"] = commandLine ?? recorded,
            ["sourceCheckpoint"] = Path.GetFileName(checkpointPath),
        };
        if (note is not null) card["note"] = note;
        // A run started with `train --init` keeps the card of the weights it started from: the card then tells the
        // whole history (earlier command, steps, wall time) and the total wall time over every stage of training.
        string initCard = Path.Combine(run.Path, InitCardFile);
        if (File.Exists(initCard) && JsonNode.Parse(File.ReadAllText(initCard)) is JsonObject previous)
        {
            double? before = previous["totalWallTimeSeconds"]?.GetValue<double>() ?? previous["wallTimeSeconds"]?.GetValue<double>();
            card["startedFrom"] = previous;
            card["totalWallTimeSeconds"] = before is null || wallSeconds is null ? null : Math.Round(before.Value + wallSeconds.Value);
        }
        AtomicFile.WriteAllText(CardPath(target), card.ToJsonString(CardJson) + "\n");
        return card;
    }

    private static string PresetName(Model.KbSrConfig config)
    {
        // An exact match first: a network's -paper preset differs from its -small one only in sizes, so a one-pass
        // search called every Small network a modified Paper one.
        foreach (string p in Model.ModelRegistry.PresetNames)
            if (Model.ModelRegistry.Preset(p).ArchitectureDifferences(config) is { Count: 0 }) return p;
        foreach (string p in Model.ModelRegistry.PresetNames)
        {
            var preset = Model.ModelRegistry.Preset(p);
            if (preset.Model == config.Model && preset.Channels == config.Channels && preset.Stages == config.Stages && preset.InitialChannels == config.InitialChannels)
                return p + " (modified: " + string.Join(", ", preset.ArchitectureDifferences(config)) + ")";
        }
        return "custom";
    }

    private static string? ExtractOption(string? commandLine, string option)
    {
        if (commandLine is null) return null;
        var parts = commandLine.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        int i = Array.IndexOf(parts, option);
        return i >= 0 && i + 1 < parts.Length ? parts[i + 1] : null;
    }

    private static List<Dictionary<string, double>> ReadCsv(string path)
    {
        if (!File.Exists(path)) return [];
        var lines = File.ReadAllLines(path).Where(l => l.Length > 0).ToList();
        if (lines.Count < 2) return [];
        var header = lines[0].Split(',');
        return lines.Skip(1).Select(l => l.Split(','))
            .Where(cells => cells.Length == header.Length)
            .Select(cells => header.Zip(cells).Where(p => double.TryParse(p.Second, NumberStyles.Float, CultureInfo.InvariantCulture, out _))
                .ToDictionary(p => p.First, p => double.Parse(p.Second, CultureInfo.InvariantCulture)))
            .ToList();
    }

    // The run folder's own record of its training sets (train.json "data"; absent in run folders made before it).
    private static string? RecordedSets(Training.RunFolder run)
    {
        if (!File.Exists(run.OptionsFile)) return null;
        var sets = JsonNode.Parse(File.ReadAllText(run.OptionsFile))?["data"] as JsonArray;
        return sets is { Count: > 0 } ? string.Join(",", sets.Select(s => s?.GetValue<string>())) : null;
    }

    // The set the run validated on (train.json "validationSet"; null when it never validated). Runs made before
    // DatasetSplit validated on Set5, a test set: for monitoring only, their exported checkpoint is the last one.
    private static string? RecordedValidation(Training.RunFolder run)
    {
        if (!File.Exists(run.OptionsFile)) return null;
        var options = JsonNode.Parse(File.ReadAllText(run.OptionsFile));
        return options?["validateEvery"]?.GetValue<int>() is > 0 ? options["validationSet"]?.GetValue<string>() : null;
    }

    /// <summary>A card number: rounded, or null where the log has none (NaN: a non-blind network's kernel error) —
    /// JSON has no NaN or infinity.</summary>
    private static JsonNode? Rounded(double value, int digits) => double.IsFinite(value) ? Math.Round(value, digits) : null;
}
