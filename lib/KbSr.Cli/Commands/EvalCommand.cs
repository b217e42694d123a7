using System.CommandLine;
using System.Diagnostics;
using KbSr.Evaluation;
using KbSr.Inference;
using KbSr.Model;
using KbSr.Model.Baselines;
using KbSr.Runtime;
using KbSr.Training;

namespace KbSr.Cli.Commands;

/// <summary>`kbsr eval`: trained networks and the bicubic baseline on the same LR inputs (docs/method.md §6):
/// PSNR/SSIM on Y per set × σ, per-stage PSNR, kernel error; Markdown + CSV tables and per-image CSV. Any network of
/// the registry: non-blind ones are evaluated given the true kernel and, per <c>--kernel-estimator</c>, blind with the
/// kernel that blind network estimates (IKC's Predictor, KB-SR's K_T, DAN's k_N). With a reference row, a paired bootstrap of its PSNR against every other row.</summary>
internal static class EvalCommand
{
    public static Command Build()
    {
        var weights = new Option<string[]>("--weights") { Description = "Checkpoint(s) of any registered network to evaluate; NAME=PATH sets the table name", Required = true, AllowMultipleArgumentsPerToken = true };
        var estimator = new Option<string[]>("--kernel-estimator")
        {
            Description = "Weights of a blind network ([NAME=]PATH, one or more) whose kernel estimate gives every non-blind network a blind row: " +
                          "IKC's Predictor (row \"kernel by IKC Predictor\" unless NAME is given), KB-SR's K_T, DAN's k_N",
            AllowMultipleArgumentsPerToken = true,
        };
        var reference = new Option<string?>("--reference") { Description = "Row(s), comma-separated, each compared with every other by a paired bootstrap over images (default: the first KB-SR row; 'none' = no comparison)" };
        var resamples = new Option<int>("--bootstrap") { Description = "Bootstrap resamples of the paired comparison", DefaultValueFactory = _ => 10_000 };
        var sets = CommonOptions.Sets();
        var sigmas = CommonOptions.Sigmas("0.2,1.3,2.6");
        var protocol = new Option<string>("--protocol") { Description = "sigmas (the paper's Table 1) or gaussian8 (IKC/DAN's ×4 protocol)", DefaultValueFactory = _ => "sigmas" };
        var data = CommonOptions.Data();
        var lrDir = new Option<string?>("--lr-dir") { Description = "Evaluate on LR files from this folder (layout of `kbsr synth`) instead of synthesising" };
        var saveImages = new Option<string?>("--save-images") { Description = "Write SR images (and estimated kernels) under this folder" };
        var maxImages = new Option<int>("--max-images") { Description = "Only the first N images of each set (0 = all)" };
        var centerCrop = new Option<int>("--center-crop") { Description = "Evaluate the centred N×N HR window of each image (N a multiple of the scale; 0 = whole images), e.g. the training patch size" };
        var keepGoing = new Option<bool>("--keep-going") { Description = "Skip images that cannot be evaluated (listed in the tables, {out}-skipped.csv and here) instead of stopping; exit code 1 when any was skipped" };
        var noBicubic = new Option<bool>("--no-bicubic") { Description = "Leave out the bicubic baseline row" };
        var tile = new Option<int>("--tile") { Description = $"Tile side in LR pixels for large images (0 = whole images, else ≥ {ArgumentRules.MinTile})" };
        var resume = new Option<bool>("--resume") { Description = "Continue an interrupted run from {out}-journal.csv (same weights and arguments), evaluating only what it lacks" };
        var output = new Option<string>("--out") { Description = "Prefix of the .md/.csv files written", DefaultValueFactory = _ => "out/eval" };
        var device = CommonOptions.Device();
        var command = new Command("eval", "Evaluate trained networks against bicubic on Set5/Set14/BSDS100 × σ")
        {
            weights, sets, sigmas, protocol, data, lrDir, saveImages, maxImages, centerCrop, keepGoing, noBicubic, tile, output, resume, device, estimator, reference, resamples,
        };
        command.SetAction(parse =>
        {
            // Arguments first (ArgumentRules), so a bad one fails before any network is loaded.
            int tileSize = ArgumentRules.Tile(parse.GetValue(tile));
            string kind = parse.GetValue(protocol)!.ToLowerInvariant();
            if (kind is not ("sigmas" or "gaussian8")) throw new ArgumentException($"--protocol {kind}: expected sigmas or gaussian8");
            if (kind == "gaussian8" && ArgumentRules.Given(parse, sigmas))
                throw new ArgumentException("--protocol gaussian8 fixes σ to 1.8, 2.0, …, 3.2: leave out --sigmas, or use --protocol sigmas");
            var sigmaValues = CommonOptions.ParseSigmas(parse.GetValue(sigmas)!);
            int imageLimit = ArgumentRules.MaxImages(parse.GetValue(maxImages));
            string prefix = ArgumentRules.OutputPath(parse.GetValue(output), "--out");
            int bootstrap = parse.GetValue(resamples);
            if (bootstrap is < 1 or > 1_000_000) throw new ArgumentException($"--bootstrap {bootstrap}: expected 1 … 1,000,000 resamples");
            var target = TorchRuntime.SelectDevice(parse.GetValue(device));
            var methods = new List<ISuperResolver>();
            var files = new List<(string, string)>();   // weight files, for the journal's fingerprint
            int scale = 0, kernelSize = 0;
            var kernelEstimators = new List<IKernelEstimator>();
            foreach (string estimatorSpec in (parse.GetValue(estimator) ?? []).SelectMany(CommonOptions.List))
            {
                var (estimatorName, estimatorNet, estimatorPca) = ModelFiles.LoadAny(estimatorSpec, target);
                var kernelEstimator = WithSpec(estimatorSpec, () => SuperResolvers.Estimator(estimatorNet, estimatorPca, estimatorName, estimatorSpec.Contains('=')));
                if (kernelEstimators.Any(e => e.Name == kernelEstimator.Name))
                    throw new ArgumentException($"--kernel-estimator {estimatorSpec}: two estimators named '{kernelEstimator.Name}'; name them with NAME=PATH");
                files.Add((kernelEstimators.Count == 0 ? "kernel estimator" : $"kernel estimator {kernelEstimator.Name}", ModelFiles.Split(estimatorSpec).Path));
                kernelEstimators.Add(kernelEstimator);
            }
            string? firstKbSr = null;
            foreach (string spec in parse.GetValue(weights)!.SelectMany(CommonOptions.List))
            {
                var (name, net, pca) = ModelFiles.LoadAny(spec, target);
                files.Add((name, ModelFiles.Split(spec).Path));
                if (scale != 0 && (scale != net.Config.Scale || kernelSize != net.Config.KernelSize))
                    throw new ArgumentException($"{spec}: ×{net.Config.Scale}, k={net.Config.KernelSize} differs from the other networks (×{scale}, k={kernelSize})");
                (scale, kernelSize) = (net.Config.Scale, net.Config.KernelSize);
                if (net is KbSrNet kbsr)
                {
                    firstKbSr ??= name;
                    methods.Add(tileSize > 0 ? new TiledSuperResolver(kbsr, tileSize, name: name) : new KbSrSuperResolver(kbsr, name));
                }
                else if (tileSize > 0) throw new ArgumentException($"--tile: tiled inference is KB-SR's; {spec} is {net.Config.Model}");
                else methods.AddRange(SuperResolvers.For(net, pca, name, [.. kernelEstimators]));
            }
            if (!parse.GetValue(noBicubic)) methods.Insert(0, new BicubicUpsampler());
            var referenceNames = References(parse.GetValue(reference), firstKbSr, methods.Select(m => m.Name).ToList());
            var options = new EvalOptions(CommonOptions.List(parse.GetValue(sets)!), sigmaValues,
                scale, kernelSize, parse.GetValue(data), parse.GetValue(lrDir), Gaussian8: kind == "gaussian8", MaxImages: imageLimit,
                CenterCrop: parse.GetValue(centerCrop));
            options.Validate();
            using var journal = EvalJournal.Open(prefix, EvalFingerprint.For(options, methods.Select(m => m.Name), files, tileSize), parse.GetValue(resume));
            if (journal.Restored > 0) Console.WriteLine($"resuming: {journal.Restored} image × σ evaluations read back from {journal.FilePath}");
            else if (parse.GetValue(resume)) Console.WriteLine($"--resume: no journal of an earlier run at {journal.FilePath}; starting from the first image");
            var clock = Stopwatch.StartNew();
            int done = 0;
            var progress = new ProgressLine("image × σ evaluated", options.Sets.Sum(set =>
            {
                int n = KbSr.Data.DatasetSplit.Images(set, options.DataRoot).Count;
                return options.MaxImages > 0 ? Math.Min(n, options.MaxImages) : n;
            }) * options.EffectiveSigmas.Count, resumed: journal.Restored);
            var evaluator = new Evaluator(options, target)
            {
                SaveImagesTo = parse.GetValue(saveImages),
                KeepGoing = parse.GetValue(keepGoing),
                Journal = journal,
                OnImage = rows => progress.Report(++done),
                OnSkipped = skip => Console.Error.WriteLine($"skipped {skip.Set}/{Path.GetFileName(skip.File)}: {skip.Reason}"),
            };
            EvalResults results;
            try { results = evaluator.Run(methods); }
            catch (EvaluationStoppedException e)
            {
                // What finished is written before the failure is reported: an hour of evaluations is not lost to one image.
                progress.Done();
                Report(e.Partial, prefix, clock);
                Console.Error.WriteLine($"kbsr eval: {e.Message}");
                Console.Error.WriteLine("the files above hold the evaluations finished before it; --keep-going skips such images, " +
                                        $"and --resume continues from {journal.FilePath} without redoing them");
                return 1;
            }
            progress.Done();
            Report(results, prefix, clock);
            journal.Complete();   // the tables are written: nothing left to resume
            if (referenceNames.Count > 0 && results.Images.Count > 0)
            {
                var paired = referenceNames.SelectMany(r => PairedBootstrap.Compare(results, r, parse.GetValue(resamples))).ToList();
                string markdown = PairedBootstrap.ToMarkdown(paired);
                Console.WriteLine(markdown);
                AtomicFile.WriteAllText(prefix + "-paired.md", markdown);
                AtomicFile.WriteAllText(prefix + "-paired.csv", PairedBootstrap.ToCsv(paired));
                Console.WriteLine($"wrote {prefix}-paired.md, {prefix}-paired.csv");
            }
            if (results.Skipped.Count > 0)
                Console.Error.WriteLine($"kbsr eval: skipped {results.Skipped.Count} image(s): " +
                                        string.Join(", ", results.Skipped.Select(s => $"{s.Set}/{Path.GetFileName(s.File)}")));
            return results.Skipped.Count > 0 ? 1 : 0;
        });
        return command;
    }

    private static T WithSpec<T>(string spec, Func<T> make)
    {
        try { return make(); }
        catch (ArgumentException e) { throw new ArgumentException($"--kernel-estimator {spec}: {e.Message}", e); }
    }

    /// <summary>The rows of <c>--reference</c>, checked against the evaluated rows before an hour of evaluation, not after:
    /// none given = the first KB-SR row (or none without one); "none" = no comparison.</summary>
    internal static IReadOnlyList<string> References(string? given, string? firstKbSr, IReadOnlyList<string> methods)
    {
        if (given is null) return firstKbSr is null ? [] : [firstKbSr];
        var names = CommonOptions.List(given);
        if (names is ["none"]) return [];
        foreach (string name in names)
            if (!methods.Contains(name))
                throw new ArgumentException($"--reference {name}: expected the name of an evaluated row ({string.Join(", ", methods)})");
        return names.Distinct().ToList();
    }

    private static void Report(EvalResults results, string prefix, Stopwatch clock)
    {
        if (results.Images.Count > 0)
        {
            Console.WriteLine(ResultPrinter.PlainTable(results));
            Console.WriteLine(ResultPrinter.StageTable(results));
        }
        foreach (string f in results.Write(prefix)) Console.WriteLine($"wrote {f}");
        Console.WriteLine($"({results.Images.Count} evaluations in {clock.Elapsed.TotalSeconds:0.0} s)");
    }
}
