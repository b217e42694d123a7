using System.Text;

namespace KbSr.Kernel.Protocol;

/// <summary>
/// Console.Out / Console.Error while a cell runs: text is buffered and published as <c>stream</c> messages
/// on explicit flush, when a buffer grows large, and every <see cref="Period"/> from a timer — so a long
/// training loop's prints appear while it runs, without one message per character.
/// </summary>
public sealed class IopubWriter : TextWriter
{
    public static readonly TimeSpan Period = TimeSpan.FromMilliseconds(50);
    private const int MaxBuffer = 16 * 1024;

    private readonly StringBuilder _buffer = new();
    private readonly Lock _gate = new();
    private readonly Action<string, string> _publish;
    private readonly Timer _timer;

    public string StreamName { get; }
    public override Encoding Encoding => Encoding.UTF8;

    public IopubWriter(string streamName, Action<string, string> publish)
    {
        StreamName = streamName;
        _publish = publish;
        _timer = new Timer(_ => Flush(), null, Period, Period);
    }

    public override void Write(char value)
    {
        bool full;
        lock (_gate) { _buffer.Append(value); full = _buffer.Length >= MaxBuffer; }
        if (full) Flush();
    }

    public override void Write(string? value)
    {
        if (string.IsNullOrEmpty(value)) return;
        bool full;
        lock (_gate) { _buffer.Append(value); full = _buffer.Length >= MaxBuffer; }
        if (full) Flush();
    }

    public override void Write(char[] buffer, int index, int count) => Write(new string(buffer, index, count));

    public override void Flush()
    {
        string text;
        lock (_gate)
        {
            if (_buffer.Length == 0) return;
            text = _buffer.ToString();
            _buffer.Clear();
            // Published under the lock so that chunks keep their order across threads.
            _publish(StreamName, text);
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) { _timer.Dispose(); Flush(); }
        base.Dispose(disposing);
    }
}

/// <summary>Console.In of the kernel: input requests are refused with an explanation.</summary>
public sealed class RefusingReader : TextReader
{
    private static InvalidOperationException Refusal() => new(
        "This kernel does not support reading input (stdin) from cells; set a variable or use a notebook parameter instead.");
    public override int Peek() => throw Refusal();
    public override int Read() => throw Refusal();
    public override string? ReadLine() => throw Refusal();
    public override string ReadToEnd() => throw Refusal();
}
