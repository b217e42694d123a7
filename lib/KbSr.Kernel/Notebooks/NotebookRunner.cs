using System.Text.Json;
using System.Text.Json.Nodes;

namespace KbSr.Kernel.Notebooks;

/// <summary>What <see cref="NotebookRunner.Run"/> does.</summary>
public sealed record NotebookRunOptions(
    string InputPath, string OutputPath, IReadOnlyDictionary<string, string> Parameters, TimeSpan CellTimeout, string? KernelAssembly = null);

/// <summary>Result of a headless run: the failing cell (1-based index among all cells) when it failed.</summary>
public sealed record NotebookRunResult(bool Success, int? FailedCell, string? Message, string OutputPath, int CellsRun);

/// <summary>
/// Headless, parameterised notebook runs (docs/design.md §3.2): injects parameters after the <c>parameters</c>
/// cell, executes every code cell through a fresh kernel process, writes the executed notebook
/// (nbformat 4.5, atomically) even when a cell fails, and reports the failing cell.
/// </summary>
public static class NotebookRunner
{
    public const string RaisesExceptionTag = "raises-exception";

    /// <summary>Runs the notebook. When <paramref name="cancel"/> fires (the CLI's Ctrl+C or SIGTERM) the running cell
    /// is interrupted, the cells after it are not run, and the executed copy is still written with what ran.</summary>
    public static NotebookRunResult Run(NotebookRunOptions options, TextWriter? log = null, CancellationToken cancel = default)
    {
        string input = Path.GetFullPath(options.InputPath);
        if (!File.Exists(input)) throw new FileNotFoundException($"notebook '{input}' does not exist", input);
        JsonObject notebook;
        try { notebook = JsonNode.Parse(File.ReadAllText(input)) as JsonObject ?? throw new InvalidDataException("not a JSON object"); }
        catch (JsonException e) { throw new InvalidDataException($"notebook '{input}' is not valid JSON: {e.Message}", e); }
        if (notebook["cells"] is not JsonArray cells) throw new InvalidDataException($"notebook '{input}' has no 'cells' array (expected nbformat 4)");

        InjectParameters(cells, options.Parameters, input);
        notebook["nbformat"] = 4;
        notebook["nbformat_minor"] = 5;
        foreach (var cell in cells.OfType<JsonObject>())
        {
            cell["id"] ??= Guid.NewGuid().ToString("N")[..8];
            cell["metadata"] ??= new JsonObject();
            if (cell["cell_type"]?.GetValue<string>() == "code") { cell["outputs"] = new JsonArray(); cell["execution_count"] = null; }
        }
        var meta = notebook["metadata"] as JsonObject ?? [];
        notebook["metadata"] = meta;
        meta["kernelspec"] ??= new JsonObject { ["name"] = KernelSpec.Name, ["display_name"] = KernelSpec.DisplayName, ["language"] = "csharp" };
        meta["language_info"] ??= new JsonObject { ["name"] = "csharp", ["file_extension"] = ".cs", ["mimetype"] = "text/x-csharp" };

        int run = 0;
        int? failed = null;
        string? message = null;
        using (var client = KernelClient.Start(Path.GetDirectoryName(input)!, TimeSpan.FromSeconds(60), options.KernelAssembly))
        {
            for (int index = 0; index < cells.Count; index++)
            {
                if (cells[index] is not JsonObject cell || cell["cell_type"]?.GetValue<string>() != "code") continue;
                string source = Source(cell);
                if (string.IsNullOrWhiteSpace(source)) continue;
                if (cancel.IsCancellationRequested)
                {
                    (failed, message) = (index + 1, $"stopped before cell {index + 1}: the run was cancelled");
                    break;
                }
                var outcome = client.Execute(source, options.CellTimeout, cancel: cancel);
                run++;
                cell["outputs"] = outcome.Outputs;
                cell["execution_count"] = outcome.ExecutionCount;
                // nbclient's convention: a cell tagged raises-exception may fail without stopping the run.
                if (outcome.Status == "ok" || (outcome.Status == "error" && HasTag(cell, RaisesExceptionTag))) continue;
                string firstLine = source.Split('\n')[0].Trim();
                failed = index + 1;
                message = $"cell {index + 1} ('{(firstLine.Length > 60 ? firstLine[..60] + "…" : firstLine)}') failed: {outcome.ErrorName}: {outcome.ErrorValue}";
                log?.WriteLine(message);
                break;
            }
        }
        WriteAtomically(notebook, options.OutputPath);
        return new NotebookRunResult(failed is null, failed, message, Path.GetFullPath(options.OutputPath), run);
    }

    /// <summary>Adds (or replaces) the injected-parameters cell after the parameters cell.</summary>
    public static void InjectParameters(JsonArray cells, IReadOnlyDictionary<string, string> parameters, string notebookName)
    {
        for (int i = cells.Count - 1; i >= 0; i--)
            if (HasTag(cells[i], ParameterInjector.InjectedTag)) cells.RemoveAt(i);
        if (parameters.Count == 0) return;
        int at = -1;
        for (int i = 0; i < cells.Count; i++)
            if (HasTag(cells[i], ParameterInjector.ParametersTag)) { at = i; break; }
        if (at < 0)
            throw new ParameterException($"notebook '{notebookName}' has no cell tagged '{ParameterInjector.ParametersTag}', so it takes no parameters " +
                                         $"(given: {string.Join(", ", parameters.Keys)})");
        string code = ParameterInjector.BuildInjectedCell(Source((JsonObject)cells[at]!), parameters);
        cells.Insert(at + 1, new JsonObject
        {
            ["cell_type"] = "code", ["id"] = Guid.NewGuid().ToString("N")[..8],
            ["metadata"] = new JsonObject { ["tags"] = new JsonArray(ParameterInjector.InjectedTag) },
            ["execution_count"] = null, ["outputs"] = new JsonArray(), ["source"] = code,
        });
    }

    private static bool HasTag(JsonNode? cell, string tag) =>
        cell?["metadata"]?["tags"] is JsonArray tags && tags.Any(t => t?.GetValue<string>() == tag);

    /// <summary>A cell's source, given as one string or a list of lines.</summary>
    public static string Source(JsonObject cell) => cell["source"] switch
    {
        JsonArray lines => string.Concat(lines.Select(l => l?.GetValue<string>() ?? "")),
        JsonValue v => v.GetValue<string>(),
        _ => "",
    };

    private static void WriteAtomically(JsonObject notebook, string path)
    {
        AtomicFile.WriteAllText(path, notebook.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
    }
}
