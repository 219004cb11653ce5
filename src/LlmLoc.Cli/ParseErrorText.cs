using System.CommandLine;
using System.CommandLine.Parsing;

namespace LlmLoc.Cli;

/// <summary>
/// System.CommandLine's parse errors in llmloc's words: a flag typed the Python way (--model_name) or without its
/// dashes gets "did you mean --model-name?", and a value of the wrong type says what kind of value the flag takes
/// instead of naming a .NET type.
/// </summary>
internal static class ParseErrorText
{
    public static string Describe(ParseResult parse, ParseError error)
    {
        var command = parse.CommandResult.Command;
        foreach (string token in parse.UnmatchedTokens)
            if (token.StartsWith('-') && Suggest(command, token) is { } known)
                return $"unknown flag '{token}': did you mean {known}?";
        // A mistyped verb (localise) right after a command that has verbs.
        if (command.Subcommands.Count > 0 && parse.UnmatchedTokens.FirstOrDefault() is { } first && !first.StartsWith('-'))
        {
            string? verb = Suggestions.Nearest(first, command.Subcommands.Select(c => c.Name));
            string where = command is RootCommand ? "llmloc" : $"llmloc {command.Name}";
            return $"unknown verb '{first}'{(verb is null ? "" : $": did you mean '{where} {verb}'?")}";
        }

        // A value that does not convert: the only error whose message names the option's .NET type.
        if (error.SymbolResult is OptionResult { Option: { } option } result && result.Tokens.Count > 0
            && error.Message.Contains(option.ValueType.ToString(), StringComparison.Ordinal))
        {
            var type = Nullable.GetUnderlyingType(option.ValueType) ?? option.ValueType;
            return $"{option.Name} '{result.Tokens[^1].Value}' is not {KindOf(type)}: give e.g. {option.Name} {Example(type)}";
        }
        return error.Message;
    }

    /// <summary>The command's flag that equals the token once '_' and '-' are ignored (--model_name, --modelname).</summary>
    static string? Suggest(Command command, string token)
    {
        string key = Normalize(token);
        return command.Options.SelectMany(o => o.Aliases.Prepend(o.Name)).FirstOrDefault(name => Normalize(name) == key && name != token);
    }

    static string Normalize(string flag) => flag.Replace("_", "").Replace("-", "").ToLowerInvariant();

    static string KindOf(Type type) =>
        type == typeof(int) || type == typeof(long) ? "a whole number"
        : type == typeof(double) || type == typeof(float) ? "a number"
        : type == typeof(bool) ? "true or false"
        : "a valid value";

    static string Example(Type type) =>
        type == typeof(int) || type == typeof(long) ? "8" : type == typeof(double) || type == typeof(float) ? "1" : type == typeof(bool) ? "true" : "VALUE";
}
