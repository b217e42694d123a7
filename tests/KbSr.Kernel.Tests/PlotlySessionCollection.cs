namespace KbSr.Kernel.Tests;

/// <summary>
/// Test classes that touch the process-wide chart session (<see cref="KbSr.Kernel.Formatting.PlotlyFormatter.Publish"/> and its
/// "plotly.js delivered" flag): every in-process <see cref="KbSr.Kernel.Execution.ScriptEngine"/> resets both. xunit runs the
/// classes of one collection one after another, so a formatter test cannot see an engine's session start mid-test.
/// </summary>
[CollectionDefinition(Name)]
public sealed class PlotlySessionCollection
{
    public const string Name = "plotly session";
}
