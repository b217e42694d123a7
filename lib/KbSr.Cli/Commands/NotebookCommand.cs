using System.CommandLine;
using KbSr.Kernel.Notebooks;

namespace KbSr.Cli.Commands;

/// <summary>`kbsr notebook run`: headless, parameterised notebook runs through the kernel (papermill's convention).</summary>
internal static class NotebookCommand
{
    public static Command Build()
    {
        var command = new Command("notebook", "Run notebooks headless");
        var notebook = new Argument<string?>("notebook") { Description = "The .ipynb to run", Arity = ArgumentArity.ZeroOrOne };
        var all = new Option<string?>("--all") { Description = "Run every .ipynb in this folder (not recursive)" };
        var parameters = new Option<string[]>("--parameter", "-p") { Description = "Name=Value overriding a default of the cell tagged 'parameters' (repeatable)", AllowMultipleArgumentsPerToken = false };
        var output = new Option<string?>("--out") { Description = "Executed notebook path (with --all: a folder); default runs/notebooks/" };
        var timeout = new Option<double>("--timeout") { Description = "Per-cell time limit in seconds", DefaultValueFactory = _ => 1800 };
        var smoke = new Option<bool>("--smoke") { Description = "Same as -p Smoke=true: the notebook's tiny, fast settings" };
        var figures = new Option<string?>("--figures") { Description = "Also save every chart of the run as figures in this folder (NOTEBOOK-cellN.png/.svg; needs Chromium)" };
        var formats = new Option<string>("--figure-formats") { Description = "Figure formats for --figures: png, svg, pdf (comma-separated)", DefaultValueFactory = _ => "png,svg" };

        var run = new Command("run", "Execute a notebook (or --all DIR) with parameters and write the executed copy; non-zero exit names the failing cell");
        run.Arguments.Add(notebook);
        foreach (var o in new Option[] { all, parameters, output, timeout, smoke, figures, formats }) run.Options.Add(o);
        run.SetAction(parse =>
        {
            var values = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var p in parse.GetValue(parameters) ?? [])
            {
                int eq = p.IndexOf('=', StringComparison.Ordinal);
                if (eq <= 0) { Console.Error.WriteLine($"kbsr: -p '{p}': expected Name=Value"); return 2; }
                values[p[..eq].Trim()] = p[(eq + 1)..];
            }
            if (parse.GetValue(smoke)) values["Smoke"] = "true";

            string? single = parse.GetValue(notebook), folder = parse.GetValue(all);
            if ((single is null) == (folder is null)) { Console.Error.WriteLine("kbsr: give either a notebook or --all DIR"); return 2; }
            var inputs = folder is not null
                ? Directory.Exists(folder) ? Directory.GetFiles(folder, "*.ipynb").Order(StringComparer.Ordinal).ToArray()
                  : throw new DirectoryNotFoundException($"--all: folder '{folder}' does not exist")
                : [single!];
            string? outArg = parse.GetValue(output);
            double seconds = parse.GetValue(timeout);
            if (!(seconds >= 1 && seconds <= MaxCellSeconds))
            {
                Console.Error.WriteLine($"kbsr: --timeout {seconds.ToString(System.Globalization.CultureInfo.InvariantCulture)}: expected 1 … {MaxCellSeconds:0} seconds per cell");
                return 2;
            }
            var limit = TimeSpan.FromSeconds(seconds);
            int failures = 0;
            // Ctrl+C and SIGTERM stop the run: the running cell is interrupted, the executed copy is written with what ran,
            // and the kernel is shut down (it would end with this process anyway: ParentWatch).
            using var cancel = new CancellationTokenSource();
            int signal = 0;
            void Stop(System.Runtime.InteropServices.PosixSignalContext c) { c.Cancel = true; signal = c.Signal == System.Runtime.InteropServices.PosixSignal.SIGINT ? 130 : 143; cancel.Cancel(); }
            using var onInt = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGINT, Stop);
            using var onTerm = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, Stop);
            foreach (var input in inputs)
            {
                if (cancel.IsCancellationRequested) break;
                string outPath = folder is null && outArg is not null ? outArg
                    : Path.Combine(outArg ?? Path.Combine("runs", "notebooks"), Path.GetFileName(input));
                // Checked before any cell runs: a copy that cannot be written would lose every output at the end.
                if (WritableFolderProblem(outPath) is { } problem)
                {
                    Console.Error.WriteLine($"kbsr: --out {outPath}: {problem}");
                    return 2;
                }
                try
                {
                    var started = System.Diagnostics.Stopwatch.StartNew();
                    var result = NotebookRunner.Run(new NotebookRunOptions(input, outPath, values, limit), cancel: cancel.Token);
                    if (result.Success) Console.WriteLine($"ok   {input} ({result.CellsRun} cells, {started.Elapsed.TotalSeconds:0.0} s) → {result.OutputPath}");
                    else { failures++; Console.Error.WriteLine($"FAIL {input}: {result.Message} (executed copy: {result.OutputPath})"); }
                    if (parse.GetValue(figures) is { } figureDir)
                        SaveFigures(result.OutputPath, figureDir, Path.GetFileNameWithoutExtension(input), parse.GetValue(formats)!);
                }
                catch (Exception e) when (e is ParameterException or InvalidDataException or FileNotFoundException or TimeoutException or InvalidOperationException)
                {
                    failures++;
                    Console.Error.WriteLine($"FAIL {input}: {e.Message}");
                }
            }
            if (signal != 0) Console.Error.WriteLine("kbsr: notebook run stopped by a signal; the executed copy holds the cells that ran");
            return signal != 0 ? signal : failures == 0 ? 0 : 1;
        });
        command.Subcommands.Add(run);

        var stored = new Argument<string[]>("notebooks") { Description = "Executed notebooks (.ipynb)", Arity = ArgumentArity.OneOrMore };
        var figureOut = new Option<string>("--out") { Description = "Folder for the figures", DefaultValueFactory = _ => Path.Combine("out", "figures") };
        var figuresCommand = new Command("figures", "Save every chart of executed notebooks as figures (NOTEBOOK-cellN.png/.svg/.pdf), without running them");
        figuresCommand.Arguments.Add(stored);
        figuresCommand.Options.Add(figureOut);
        figuresCommand.Options.Add(formats);
        figuresCommand.SetAction(parse =>
        {
            foreach (string nb in parse.GetValue(stored)!)
                SaveFigures(nb, parse.GetValue(figureOut)!, Path.GetFileNameWithoutExtension(nb), parse.GetValue(formats)!);
            return 0;
        });
        command.Subcommands.Add(figuresCommand);

        var offline = new Command("offline", "Rewrite the chart outputs of stored notebooks in place for offline viewing: plotly.js once, a static image per chart (needs Chromium)");
        var offlineArgs = new Argument<string[]>("notebooks") { Description = "Notebooks to rewrite (.ipynb)", Arity = ArgumentArity.OneOrMore };
        offline.Arguments.Add(offlineArgs);
        offline.SetAction(parse =>
        {
            foreach (string nb in parse.GetValue(offlineArgs)!)
                Console.WriteLine($"{nb}: {NotebookCharts.MakeOffline(nb)} charts");
            return 0;
        });
        command.Subcommands.Add(offline);
        return command;
    }

    private static void SaveFigures(string executed, string folder, string prefix, string formats)
    {
        string tmp = Path.Combine(Path.GetTempPath(), $"kbsr-figures-{Guid.NewGuid():N}");
        try
        {
            var written = NotebookCharts.SaveFigures(executed, tmp, formats.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
            Directory.CreateDirectory(folder);
            foreach (string file in written)
            {
                string target = Path.Combine(folder, $"{prefix}-{Path.GetFileName(file)}");
                File.Move(file, target, overwrite: true);
                Console.WriteLine($"     figure {target}");
            }
            if (written.Count == 0) Console.WriteLine($"     {executed}: no charts");
        }
        finally { if (Directory.Exists(tmp)) Directory.Delete(tmp, recursive: true); }
    }

    /// <summary>Largest per-cell time limit (a week): a bigger one is a typo, and TimeSpan overflows past 10^14 s.</summary>
    public const double MaxCellSeconds = 7 * 24 * 3600;

    /// <summary>Why the executed copy could not be written at <paramref name="path"/> (its folder is made if missing and a
    /// probe file is created and removed there), or null when it can.</summary>
    private static string? WritableFolderProblem(string path)
    {
        try
        {
            string folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
            Directory.CreateDirectory(folder);
            string probe = Path.Combine(folder, $".kbsr-write-probe-{Environment.ProcessId}");
            File.WriteAllText(probe, "");
            File.Delete(probe);
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            return $"the executed copy cannot be written there ({e.Message})";
        }
    }
}
