using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using KbSr.Data;
using KbSr.Model;
using KbSr.Runtime;
using KbSr.Training;
using Spectre.Console;

namespace KbSr.Cli.Commands;

/// <summary>`kbsr train`: trains a network into a run folder; every hyperparameter can be set from a JSON file
/// (`--config`) and then from the command line (`--set path=value`, e.g. `--set model.stages=6`).</summary>
internal static class TrainCommand
{
    public static Command Build()
    {
        var preset = new Option<string?>("--preset") { Description = "Network preset: KB-SR's Small (default), Paper or Test, or MODEL-small / MODEL-paper / MODEL-test for the Table-1 networks (srcnn-cab, srmd-nf, srresnet-concat, sftmd, ikc)" };
        var config = new Option<string?>("--config") { Description = "JSON file of training options (as written to a run's train.json)" };
        var sets = new Option<string?>("--data") { Description = "Comma-separated training sets under the data root, NAME or NAME:train/val (default T91,BSDS200:train; a resumed run uses its own)" };
        var dataRoot = new Option<string?>("--data-root") { Description = "Data root (default: $KBSR_DATA, else data/datasets)" };
        var steps = new Option<long?>("--steps") { Description = "Total training steps" };
        var batch = new Option<int?>("--batch") { Description = "Batch size" };
        var patch = new Option<int?>("--patch") { Description = "HR patch size (pixels)" };
        var learningRate = new Option<double?>("--learning-rate") { Description = "Adam's learning rate" };
        var seed = new Option<long?>("--seed") { Description = "Seed for everything (weights, crops, kernels)" };
        var timeLimit = new Option<double?>("--time-limit") { Description = "Stop (with a checkpoint) once the run has trained this many seconds in all; with --resume the earlier sessions count" };
        var set = new Option<string[]>("--set") { Description = "Override any option: path=value (camelCase, e.g. model.kernelSft=true, validateEvery=200)", AllowMultipleArgumentsPerToken = false };
        var output = new Option<string>("--out") { Description = "Run folder (never overwritten)", Required = true };
        var resume = new Option<bool>("--resume") { Description = "Continue the run in --out from its last checkpoint, with the settings stored there (train.json)" };
        var restart = new Option<bool>("--restart") { Description = "Start a new run in --out even though it holds a run that stopped before its first checkpoint (that folder is deleted; one with checkpoints is refused)" };
        var init = new Option<string?>("--init") { Description = "Start a new run from these weights (continues their step count; Adam starts fresh unless the file holds its state)" };
        var gcStress = new Option<bool>("--gc-stress") { Description = "Train beside threads that force garbage collections (a reliability check of the finalizer gate)" };
        var device = CommonOptions.Device();
        var command = new Command("train", "Train a KB-SR network on synthetic LR/HR pairs (docs/method.md §5)")
        {
            preset, config, sets, dataRoot, steps, batch, patch, learningRate, seed, timeLimit, set, output, resume, restart, init, device, gcStress,
        };
        command.SetAction((parse, cancel) => Task.FromResult(Run(parse, preset, config, sets, dataRoot, steps, batch, patch,
            learningRate, seed, timeLimit, set, output, resume, restart, init, device, gcStress)));
        return command;
    }

    private static int Run(ParseResult parse, Option<string?> preset, Option<string?> config, Option<string?> sets,
        Option<string?> dataRoot, Option<long?> steps, Option<int?> batch, Option<int?> patch, Option<double?> learningRate,
        Option<long?> seed, Option<double?> timeLimit, Option<string[]> set, Option<string> output, Option<bool> resume,
        Option<bool> restart, Option<string?> init, Option<string?> device, Option<bool> gcStress)
    {
        string? initWeights = parse.GetValue(init);
        bool resuming = parse.GetValue(resume);
        string folder = parse.GetValue(output)!;
        if (resuming && parse.GetValue(restart))
            throw new ArgumentException("--resume and --restart: give one (--resume continues a run, --restart starts it again)");
        // Checked before the --set overrides, which go through JSON (where NaN cannot be written).
        if (parse.GetValue(learningRate) is { } rate) ArgumentRules.Positive(rate, "--learning-rate");
        if (parse.GetValue(timeLimit) is { } limit) ArgumentRules.Seconds(limit, "--time-limit");
        if (initWeights is not null && resuming)
            throw new ArgumentException("--init and --resume: give one (--resume continues a run folder, --init starts a new one from weights)");
        // A resumed run's settings come from its folder; the command line may only repeat them (or extend --steps).
        TrainOptions? stored = resuming ? RunFolder.ReadOptions(folder) : null;
        var options = parse.GetValue(config) is { } file ? TrainOptions.FromJson(Runtime.RegularFile.ReadAllText(file, TrainOptions.MaxFileBytes, "--config"), file)
            : stored ?? TrainOptions.ForModel(ModelRegistry.Preset(parse.GetValue(preset) ?? "Small"));
        if (parse.GetValue(preset) is { } presetName && (stored is not null || parse.GetValue(config) is not null))
            options = options with { Model = ModelRegistry.Preset(presetName) };
        options = options with
        {
            Data = parse.GetValue(sets) is { } list ? CommonOptions.List(list) : options.Data.Count > 0 || resuming ? options.Data : DatasetSplit.DefaultTraining,
            Steps = parse.GetValue(steps) ?? options.Steps,
            BatchSize = parse.GetValue(batch) ?? options.BatchSize,
            HrPatch = parse.GetValue(patch) ?? options.HrPatch,
            LearningRate = parse.GetValue(learningRate) ?? options.LearningRate,
            Seed = parse.GetValue(seed) ?? options.Seed,
            TimeLimitSeconds = parse.GetValue(timeLimit) ?? (stored is null ? options.TimeLimitSeconds : 0),
        };
        options = ApplyOverrides(options, parse.GetValue(set) ?? []);
        options.Validate();
        if (parse.GetValue(restart)) RunFolder.RemoveNeverCheckpointed(folder, Console.Error.WriteLine);
        var effective = stored is null ? options : RunFolder.ResumeOptions(stored, options, new RunFolder(folder).OptionsFile);

        var target = TorchRuntime.SelectDevice(parse.GetValue(device));
        using var images = Trainer.LoadImages(effective, parse.GetValue(dataRoot));
        Console.WriteLine(effective.Model.Baseline is null
            ? $"{images.Count} training images from {string.Join(",", effective.Data)}; network {effective.Model.Hash()} " +
              $"({effective.Model.Stages} stages, {effective.Model.Channels} channels, ×{effective.Model.Scale}); device {target}"
            : $"{images.Count} training images from {string.Join(",", effective.Data)}; network {effective.Model.Model} " +
              $"{effective.Model.Hash()} (×{effective.Model.Scale}, schedule {effective.Schedule}); device {target}");

        using var cancel = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; cancel.Cancel(); Console.Error.WriteLine("stopping after this step (checkpoint first)…"); };
        Console.CancelKeyPress += onCancel;
        // `kill` (SIGTERM) stops like Ctrl+C: finish the step, write the checkpoint, exit.
        using var onTerm = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, ctx =>
        {
            ctx.Cancel = true;
            cancel.Cancel();
            Console.Error.WriteLine("SIGTERM: stopping after this step (checkpoint first)…");
        });
        try
        {
            var progress = new TrainingProgress();
            using var trainer = resuming ? Trainer.Resume(folder, images, target, options)
                : initWeights is not null ? Trainer.StartFrom(initWeights, options, folder, images, target)
                : Trainer.StartNew(options, folder, images, target);
            trainer.DataRoot = parse.GetValue(dataRoot);   // validation reads the same root as training
            // The starting weights' model card, so `kbsr export` can tell the whole training history.
            if (initWeights is not null && File.Exists(ExportCommand.CardPath(initWeights)) && !resuming)
                File.Copy(ExportCommand.CardPath(initWeights), Path.Combine(folder, ExportCommand.InitCardFile));
            // The command that made (or resumed) this run, for model cards (`kbsr export`).
            File.AppendAllText(Path.Combine(folder, "command.txt"), "kbsr " + string.Join(' ', Environment.GetCommandLineArgs().Skip(1)) + "\n");
            TrainingEnd end;
            using var pressure = parse.GetValue(gcStress) ? new GcPressure() : null;
            try { end = progress.Run(trainer, effective.Steps, cancel.Token); }
            catch (System.Runtime.InteropServices.ExternalException e)
            {
                // A libtorch failure mid-run. Two such (in Adam's step) came from a finalizer race that FinalizerGate now
                // closes; should another occur, the checkpoints on disk were written atomically before it, so the run
                // continues exactly from the last one.
                Console.Error.WriteLine($"kbsr train: libtorch failed after step {trainer.Step}: {e.Message.Split('\n')[0]}");
                Console.Error.WriteLine($"the last checkpoint ({new RunFolder(folder).LastCheckpoint}) is whole: rerun the same command with --resume to continue");
                return 5;
            }
            Console.WriteLine($"{end}: step {trainer.Step}/{effective.Steps}; run folder {Path.GetFullPath(folder)}");
            if (pressure is not null) Console.WriteLine($"gc-stress: {pressure.Collections} forced full collections during training");
            return end == TrainingEnd.Interrupted ? 130 : 0;
        }
        catch (NonFiniteLossException e)
        {
            Console.Error.WriteLine("kbsr train: " + e.Message);
            return 4;
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }

    private static System.Reflection.PropertyInfo? Option(Type? type, string name) =>
        type?.GetProperties().FirstOrDefault(p => p.CanWrite && System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(p.Name) == name);

    private static Type? OptionType(Type? type, string name) =>
        Option(type, name) is { } p ? Nullable.GetUnderlyingType(p.PropertyType) ?? p.PropertyType : null;

    private static IEnumerable<string> OptionNames(Type? type) =>
        type?.GetProperties().Where(p => p.CanWrite).Select(p => System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(p.Name)) ?? [];

    /// <summary>Applies <c>path=value</c> overrides through the options' JSON form, so every field is reachable
    /// with the same names as in train.json, and unknown names fail with the JSON error.</summary>
    public static TrainOptions ApplyOverrides(TrainOptions options, IEnumerable<string> assignments)
    {
        var list = assignments.ToList();
        if (list.Count == 0) return options;
        var root = JsonNode.Parse(options.ToJson())!.AsObject();
        foreach (string assignment in list)
        {
            int eq = assignment.IndexOf('=');
            if (eq <= 0) throw new ArgumentException($"--set {assignment}: expected path=value");
            string[] path = assignment[..eq].Trim().Split('.');
            string text = assignment[(eq + 1)..].Trim();
            JsonObject node = root;
            Type? type = typeof(TrainOptions);
            foreach (string part in path[..^1])
            {
                node = node[part] as JsonObject ?? throw new ArgumentException($"--set {assignment}: '{part}' is not an object in the training options");
                type = OptionType(type, part);
            }
            // Options written only when not at their default (e.g. IKC's baseline.reflectPadding) are known by their type.
            if (!node.ContainsKey(path[^1]) && OptionType(type, path[^1]) is null)
                throw new ArgumentException($"--set {assignment}: unknown option '{path[^1]}' (known here: " +
                                            $"{string.Join(", ", node.Select(kv => kv.Key).Union(OptionNames(type)))})");
            node[path[^1]] = ParseValue(text);
        }
        return TrainOptions.FromJson(root.ToJsonString(), "--set");
    }

    private static JsonNode? ParseValue(string text)
    {
        if (bool.TryParse(text, out bool b)) return JsonValue.Create(b);
        if (long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out long l)) return JsonValue.Create(l);
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double d)) return JsonValue.Create(d);
        if (text.StartsWith('[') || text.StartsWith('{')) return JsonNode.Parse(text);
        return JsonValue.Create(text);
    }
}
