using System.Text.RegularExpressions;

namespace KbSr.Kernel.Execution;

/// <summary>Exception messages as a cell's error shows them.</summary>
public static partial class ErrorText
{
    /// <summary>
    /// libtorch appends its C++ backtrace to the message TorchSharp passes on ("Exception raised from … (most recent
    /// call first):", "frame #0: … (0x… in libc10.so)"), and prefixes checks with "[enforce fail at file:line]".
    /// Those say nothing to a notebook user: they are cut, and the remaining lines joined into one paragraph.
    /// </summary>
    public static string WithoutNativeFrames(string message)
    {
        var kept = new List<string>();
        foreach (string raw in message.Split('\n'))
        {
            string line = raw.Trim();
            if (line.StartsWith("Exception raised from ", StringComparison.Ordinal) || NativeFrame().IsMatch(line)) break;
            if (line.Length > 0) kept.Add(line);
        }
        string text = string.Join(" ", kept);
        text = EnforcePrefix().Replace(text, "");
        return text.Length > 0 ? text : message.Trim();
    }

    [GeneratedRegex(@"^frame #\d+:")]
    private static partial Regex NativeFrame();

    [GeneratedRegex(@"^\[enforce fail at [^\]]*\]\s*")]
    private static partial Regex EnforcePrefix();
}
