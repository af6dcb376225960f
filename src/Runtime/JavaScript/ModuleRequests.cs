using System.Text;

namespace Granary.Runtime.JavaScript;

/// <summary>A module a JavaScript source asks for by a literal name, and the line (1-based) where it does.</summary>
/// <param name="Specifier">The name as written: <c>pg</c>, <c>node:zlib</c>, <c>./util.js</c>.</param>
/// <param name="Line">The line of the name.</param>
public readonly record struct ModuleRequest(string Specifier, int Line);

/// <summary>
/// Lists the modules a JavaScript source asks for by a literal name: <c>require('x')</c>, <c>import … from 'x'</c>,
/// <c>import 'x'</c>, <c>import('x')</c> and <c>export … from 'x'</c>, wherever they are (a <c>require</c> inside the
/// handler counts), so that a deploy can refuse what would only fail at the first call. Comments, strings, template
/// literals and regular expressions are skipped; a name that is computed (<c>require(name)</c>) is not a request.
/// </summary>
/// <remarks>
/// A scanner, not a parser: it tells a regular expression from a division by the token before the slash, as
/// JavaScript tokenizers without a parser do, which is right for code people write.
/// </remarks>
public static class ModuleRequests
{
    /// <summary>Finds the module requests of <paramref name="source"/>, in order, duplicates included.</summary>
    public static IReadOnlyList<ModuleRequest> Find(string source)
    {
        ArgumentNullException.ThrowIfNull(source);
        return new Scanner(source).Run();
    }

    private sealed class Scanner(string source)
    {
        private readonly List<ModuleRequest> _found = [];

        // Open template literals' substitutions: the brace depth at which each `${` began.
        private readonly Stack<int> _templates = new();
        private int _position;
        private int _line = 1;
        private int _braces;

        // The last significant token: an identifier or keyword, or one punctuation character.
        private string _previous = "";

        // Inside an import or export statement, waiting for its `from 'x'`.
        private bool _moduleStatement;

        public List<ModuleRequest> Run()
        {
            while (_position < source.Length)
            {
                var c = source[_position];
                if (c == '\n')
                {
                    _line++;
                    _position++;
                }
                else if (char.IsWhiteSpace(c))
                {
                    _position++;
                }
                else if (c == '/' && Peek(1) == '/')
                {
                    SkipLineComment();
                }
                else if (c == '/' && Peek(1) == '*')
                {
                    SkipBlockComment();
                }
                else if (c is '"' or '\'')
                {
                    ReadString(c);
                    _previous = "string";
                }
                else if (c == '`')
                {
                    _position++;
                    ReadTemplate();
                }
                else if (c == '/' && RegexMayStart())
                {
                    SkipRegex();
                    _previous = "regex";
                }
                else if (char.IsLetter(c) || c is '_' or '$')
                {
                    Identifier();
                }
                else if (char.IsDigit(c))
                {
                    while (_position < source.Length && (char.IsLetterOrDigit(source[_position]) || source[_position] is '.' or '_'))
                    {
                        _position++;
                    }

                    _previous = "number";
                }
                else
                {
                    Punctuation(c);
                }
            }

            return _found;
        }

        private void Punctuation(char c)
        {
            _position++;
            switch (c)
            {
                case '{':
                    _braces++;
                    break;
                case '}' when _templates.Count > 0 && _templates.Peek() == _braces:
                    // The end of a template's substitution: the literal goes on.
                    _templates.Pop();
                    ReadTemplate();
                    _previous = "string";
                    return;
                case '}':
                    _braces--;
                    break;
                case ';':
                    _moduleStatement = false;
                    break;
            }

            _previous = c.ToString();
        }

        private void Identifier()
        {
            var start = _position;
            while (_position < source.Length && (char.IsLetterOrDigit(source[_position]) || source[_position] is '_' or '$'))
            {
                _position++;
            }

            var word = source[start.._position];
            var member = _previous == ".";
            _previous = word;
            if (member)
            {
                return;
            }

            switch (word)
            {
                case "require":
                    CallWithLiteral();
                    break;
                case "import" when NextSignificant() == '(':
                    CallWithLiteral();
                    break;
                case "import" when NextSignificant() is '"' or '\'':
                    SkipSpace();
                    Request(ReadString(source[_position]));
                    _previous = "string";
                    break;
                case "import" when NextSignificant() != '.':
                case "export":
                    _moduleStatement = true;
                    break;
                case "from" when _moduleStatement && NextSignificant() is '"' or '\'':
                    SkipSpace();
                    Request(ReadString(source[_position]));
                    _previous = "string";
                    _moduleStatement = false;
                    break;
            }
        }

        // `(` then a string literal then `)`: a request; anything else is left for the main loop to read.
        private void CallWithLiteral()
        {
            var resume = (_position, _line);
            SkipSpace();
            if (Peek(0) != '(')
            {
                return;
            }

            _position++;
            SkipSpace();
            if (Peek(0) is not ('"' or '\''))
            {
                (_position, _line) = resume;
                return;
            }

            var line = _line;
            var name = ReadString(source[_position]);
            SkipSpace();
            if (Peek(0) is ')' or ',')
            {
                _found.Add(new ModuleRequest(name, line));
            }

            (_position, _line) = resume;
        }

        private void Request(string name) => _found.Add(new ModuleRequest(name, _line));

        // Reads a quoted string from its opening quote and returns its text (escapes kept as written, but for \' \").
        private string ReadString(char quote)
        {
            _position++;
            var text = new StringBuilder();
            while (_position < source.Length && source[_position] != quote && source[_position] != '\n')
            {
                if (source[_position] == '\\' && _position + 1 < source.Length)
                {
                    _position++;
                    if (source[_position] == '\n')
                    {
                        _line++;
                    }
                }

                text.Append(source[_position]);
                _position++;
            }

            _position++;
            return text.ToString();
        }

        // Reads a template literal's text up to its end or to a `${`, where code resumes.
        private void ReadTemplate()
        {
            while (_position < source.Length)
            {
                var c = source[_position];
                if (c == '\\')
                {
                    _position += 2;
                    continue;
                }

                if (c == '\n')
                {
                    _line++;
                }

                if (c == '`')
                {
                    _position++;
                    _previous = "string";
                    return;
                }

                if (c == '$' && Peek(1) == '{')
                {
                    _position += 2;
                    _braces++;
                    _templates.Push(_braces);
                    _previous = "{";
                    return;
                }

                _position++;
            }
        }

        private void SkipLineComment()
        {
            while (_position < source.Length && source[_position] != '\n')
            {
                _position++;
            }
        }

        private void SkipBlockComment()
        {
            var end = source.IndexOf("*/", _position + 2, StringComparison.Ordinal);
            var stop = end < 0 ? source.Length : end + 2;
            for (; _position < stop; _position++)
            {
                if (source[_position] == '\n')
                {
                    _line++;
                }
            }
        }

        private void SkipRegex()
        {
            _position++;
            var inClass = false;
            while (_position < source.Length && source[_position] != '\n')
            {
                var c = source[_position++];
                if (c == '\\')
                {
                    _position++;
                }
                else if (c == '[')
                {
                    inClass = true;
                }
                else if (c == ']')
                {
                    inClass = false;
                }
                else if (c == '/' && !inClass)
                {
                    break;
                }
            }

            while (_position < source.Length && char.IsLetter(source[_position]))
            {
                _position++;
            }
        }

        // A slash starts a regular expression unless the token before it ends an expression.
        private bool RegexMayStart() => _previous switch
        {
            "" => true,
            ")" or "]" or "}" or "string" or "number" or "regex" => false,
            "return" or "typeof" or "instanceof" or "in" or "of" or "new" or "delete" or "void" or "throw" or "case" or "do" or "else" or "yield" or "await" => true,
            _ => !(char.IsLetterOrDigit(_previous[0]) || _previous[0] is '_' or '$'),
        };

        private char NextSignificant()
        {
            var i = _position;
            while (i < source.Length && char.IsWhiteSpace(source[i]))
            {
                i++;
            }

            return i < source.Length ? source[i] : '\0';
        }

        private void SkipSpace()
        {
            while (_position < source.Length && char.IsWhiteSpace(source[_position]))
            {
                if (source[_position] == '\n')
                {
                    _line++;
                }

                _position++;
            }
        }

        private char Peek(int offset) => _position + offset < source.Length ? source[_position + offset] : '\0';
    }
}
