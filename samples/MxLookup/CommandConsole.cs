namespace MxLookup;

/// <summary>The console as <c>mxlookup</c> sees it: the three streams, and whether the output streams are terminals.</summary>
/// <param name="In">Standard input (<c>--file -</c>).</param>
/// <param name="Out">Where results (and <c>--help</c>) go.</param>
/// <param name="Error">Where one-line errors, the list-mode summary and progress go.</param>
/// <param name="ErrorIsTerminal">Whether standard error is a terminal: progress is drawn only then.</param>
/// <param name="OutputIsTerminal">Whether standard output is a terminal too, so progress must make way for results.</param>
internal sealed record CommandConsole(TextReader In, TextWriter Out, TextWriter Error, bool ErrorIsTerminal = false, bool OutputIsTerminal = false)
{
    /// <summary>The clock of the progress line and the summary.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;
}
