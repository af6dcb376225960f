using System.Buffers;
using System.IO.Compression;
using System.Text.Json;
using Microsoft.ClearScript.JavaScript;

namespace Granary.Runtime.JavaScript.Io;

/// <summary>
/// The host side of <c>require('zlib')</c>: one codec per zlib object (or per <c>*Sync</c> call) on .NET's compression
/// (gzip = <see cref="GZipStream"/>, deflate = <see cref="ZLibStream"/>, raw = <see cref="DeflateStream"/>, brotli =
/// <see cref="BrotliEncoder"/>/<see cref="BrotliDecoder"/>). Script writes a chunk, learns how many bytes came out and
/// copies them into a buffer of that length: input is copied once into the codec and output once out of it, whole
/// bodies never. What one write may produce is capped (a zip bomb stops there with Node's
/// <c>ERR_BUFFER_TOO_LARGE</c>). Every member runs on a thread that holds the isolate.
/// </summary>
internal sealed class ZlibOperations
{
    // Codecs a script may hold open at once: a zlib object that is never ended keeps its native state until the
    // isolate is discarded, so a function that leaks them in a loop fails clearly instead of growing without bound.
    private const int MaxOpen = 256;

    private readonly Dictionary<int, Codec> _codecs = [];
    private int _next;

    /// <summary>
    /// Opens a codec. <paramref name="mode"/> is Node's class name (<c>Gzip</c>, <c>Gunzip</c>, <c>Deflate</c>,
    /// <c>Inflate</c>, <c>DeflateRaw</c>, <c>InflateRaw</c>, <c>Unzip</c>, <c>BrotliCompress</c>,
    /// <c>BrotliDecompress</c>); <paramref name="level"/> is zlib's level (-1 to 9) or brotli's quality (0 to 11),
    /// <paramref name="window"/> brotli's window bits (0 for its default; zlib's window is .NET's own, 15), and
    /// <paramref name="maxOutput"/> the most one write may produce.
    /// </summary>
    public int Open(string mode, int level, int strategy, int window, double maxOutput)
    {
        if (_codecs.Count >= MaxOpen)
        {
            throw new InvalidOperationException($"too many zlib streams are open at once ({MaxOpen}): end or close the ones you no longer use.");
        }

        Codec codec = mode switch
        {
            "Gzip" or "Deflate" or "DeflateRaw" => new ZlibCompressor(mode, level, strategy),
            "Gunzip" or "Inflate" or "InflateRaw" or "Unzip" => new ZlibDecompressor(mode),
            "BrotliCompress" => new BrotliCompressor(level, window),
            "BrotliDecompress" => new BrotliDecompressor(),
            _ => throw new ArgumentException($"zlib mode '{mode}' is not known."),
        };
        codec.MaxOutput = maxOutput is > 0 and < int.MaxValue ? (long)maxOutput : int.MaxValue;
        var handle = ++_next;
        _codecs[handle] = codec;
        return handle;
    }

    /// <summary>
    /// Feeds <paramref name="input"/> (a Uint8Array, or null for none) to a codec; <paramref name="flush"/> is Node's
    /// flush kind (0 none, 2 sync, 3 full, 4 finish). Returns the bytes of output now waiting to be taken, or -1 when
    /// the codec failed (<see cref="Error"/> says how).
    /// </summary>
    public double Write(int handle, object? input, int flush)
    {
        var codec = Get(handle);
        codec.Output.ResetWrittenCount();
        try
        {
            var bytes = input is IArrayBufferView view && view.Size > 0 ? view.GetBytes() : [];
            codec.Write(bytes, flush);
            return codec.Output.WrittenCount;
        }
        catch (ZlibException ex)
        {
            codec.Failure = ex;
        }
        catch (InvalidDataException)
        {
            codec.Failure = codec.DataError();
        }

        codec.Output.ResetWrittenCount();
        return -1;
    }

    /// <summary>Copies a codec's waiting output into <paramref name="target"/> (a Uint8Array of that length); returns the bytes copied.</summary>
    public int Take(int handle, object target)
    {
        var codec = Get(handle);
        if (target is not IArrayBufferView view)
        {
            return 0;
        }

        var count = FetchOperations.CopyChunk(codec.Output.WrittenSpan, view);
        codec.Output.ResetWrittenCount();
        return count;
    }

    /// <summary>Returns why a codec failed as JSON <c>{name, code, errno, message}</c>, shaped like Node's zlib errors.</summary>
    public string Error(int handle)
    {
        var failure = Get(handle).Failure ?? new ZlibException("Error", "Z_STREAM_ERROR", -2, "zlib binding closed");
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("name", failure.Name);
            writer.WriteString("code", failure.Code);
            if (failure.Errno is { } errno)
            {
                writer.WriteNumber("errno", errno);
            }

            writer.WriteString("message", failure.Message);
            writer.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>Frees a codec and its native state.</summary>
    public void Close(int handle)
    {
        if (_codecs.Remove(handle, out var codec))
        {
            codec.Dispose();
        }
    }

    /// <summary>Frees every codec (the isolate is going away).</summary>
    public void CloseAll()
    {
        foreach (var codec in _codecs.Values)
        {
            codec.Dispose();
        }

        _codecs.Clear();
    }

    private Codec Get(int handle) =>
        _codecs.TryGetValue(handle, out var codec) ? codec : throw new InvalidOperationException("zlib binding closed");

    private abstract class Codec : IDisposable
    {
        public ArrayBufferWriter<byte> Output { get; } = new(16 * 1024);

        public long MaxOutput { get; set; } = int.MaxValue;

        public ZlibException? Failure { get; set; }

        public abstract void Write(byte[] input, int flush);

        public virtual ZlibException DataError() => new("Error", "Z_DATA_ERROR", -3, "invalid compressed data");

        public abstract void Dispose();

        // Counts output against the cap before it is kept: a bomb stops at the cap, not at the isolate's memory.
        protected void Append(ReadOnlySpan<byte> bytes)
        {
            if (Output.WrittenCount + (long)bytes.Length > MaxOutput)
            {
                throw new ZlibException("RangeError", "ERR_BUFFER_TOO_LARGE", null, $"Cannot create a Buffer larger than {MaxOutput} bytes");
            }

            Output.Write(bytes);
        }
    }

    // Compression writes through .NET's stream into a sink that hands what comes out to the codec's output.
    private sealed class ZlibCompressor : Codec
    {
        private readonly Stream _stream;
        private readonly string _mode;
        private bool _written;
        private bool _finished;

        public ZlibCompressor(string mode, int level, int strategy)
        {
            _mode = mode;
            var sink = new Sink(this);
            var options = new ZLibCompressionOptions
            {
                CompressionLevel = Math.Clamp(level, -1, 9),
                CompressionStrategy = strategy switch
                {
                    1 => ZLibCompressionStrategy.Filtered,
                    2 => ZLibCompressionStrategy.HuffmanOnly,
                    3 => ZLibCompressionStrategy.RunLengthEncoding,
                    4 => ZLibCompressionStrategy.Fixed,
                    _ => ZLibCompressionStrategy.Default,
                },
            };
            _stream = mode switch
            {
                "Gzip" => new GZipStream(sink, options, leaveOpen: true),
                "Deflate" => new ZLibStream(sink, options, leaveOpen: true),
                _ => new DeflateStream(sink, options, leaveOpen: true),
            };
        }

        public override void Write(byte[] input, int flush)
        {
            if (_finished)
            {
                if (input.Length > 0)
                {
                    throw new ZlibException("Error", "ERR_STREAM_WRITE_AFTER_END", null, "write after end");
                }

                return;
            }

            _stream.Write(input);
            _written |= input.Length > 0;
            if (flush == 4)
            {
                _finished = true;
                _stream.Dispose();

                // .NET writes nothing at all for no input; zlib writes an empty stream, which decompresses to nothing.
                if (!_written)
                {
                    Append(_mode switch
                    {
                        "Gzip" => [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0],
                        "Deflate" => [0x78, 0x9c, 3, 0, 0, 0, 0, 1],
                        _ => (ReadOnlySpan<byte>)[3, 0],
                    });
                }
            }
            else if (flush is 2 or 3)
            {
                _stream.Flush();
            }
        }

        public override void Dispose() => _stream.Dispose();

        private sealed class Sink(ZlibCompressor owner) : Stream
        {
            public override bool CanRead => false;

            public override bool CanSeek => false;

            public override bool CanWrite => true;

            public override long Length => throw new NotSupportedException();

            public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

            public override void Write(byte[] buffer, int offset, int count) => owner.Append(buffer.AsSpan(offset, count));

            public override void Write(ReadOnlySpan<byte> buffer) => owner.Append(buffer);

            public override void Flush()
            {
            }

            public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

            public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

            public override void SetLength(long value) => throw new NotSupportedException();
        }
    }

    // Decompression reads through .NET's stream from a feed that holds the input written so far: a read that finds
    // the feed empty returns 0, which .NET takes as "no more for now" and resumes from on the next write.
    private sealed class ZlibDecompressor(string mode) : Codec
    {
        private readonly Feed _feed = new();
        private readonly byte[] _chunk = new byte[64 * 1024];
        private readonly byte[] _tail = new byte[8];
        private Stream? _stream;
        private string _mode = mode;
        private long _total;
        private readonly System.IO.Hashing.Crc32 _crc = new();
        private int _tailLength;
        private bool _finished;

        public override void Write(byte[] input, int flush)
        {
            if (_finished)
            {
                return;
            }

            _feed.Add(input);
            Remember(input);
            if (_stream is null)
            {
                if (_feed.Available < 2 && flush != 4)
                {
                    return;
                }

                _stream = Open();
            }

            Drain();
            if (flush == 4)
            {
                _finished = true;
                Finish();
            }
        }

        // .NET does not say what was wrong. zlib checks gzip's trailer last, when (but for the read that failed) all
        // the output is out: a failure there, with a trailer whose length is about the output's, is a bad checksum.
        public override ZlibException DataError() => new("Error", "Z_DATA_ERROR", -3, _mode == "Gunzip" && _tailLength == 8
            && BitConverter.ToUInt32(_tail.AsSpan(4)) - (ulong)(uint)_total <= (ulong)_chunk.Length
            ? "incorrect data check"
            : "invalid compressed data");

        public override void Dispose() => _stream?.Dispose();

        private Stream Open()
        {
            var first = _feed.Peek(0);
            var second = _feed.Peek(1);
            if (_mode == "Unzip")
            {
                _mode = first == 0x1f && second == 0x8b ? "Gunzip" : "Inflate";
            }

            // zlib's own header checks, so that input that is not compressed at all says so as Node does.
            var badHeader = _mode switch
            {
                "Gunzip" => first is >= 0 && (first != 0x1f || (second is >= 0 && second != 0x8b)),
                "Inflate" => first is >= 0 && ((first & 0x0f) != 8 || (second is >= 0 && ((first << 8) | second) % 31 != 0)),
                _ => false,
            };
            if (badHeader)
            {
                throw new ZlibException("Error", "Z_DATA_ERROR", -3, "incorrect header check");
            }

            return _mode switch
            {
                "Gunzip" => new GZipStream(_feed, CompressionMode.Decompress, leaveOpen: true),
                "Inflate" => new ZLibStream(_feed, CompressionMode.Decompress, leaveOpen: true),
                _ => new DeflateStream(_feed, CompressionMode.Decompress, leaveOpen: true),
            };
        }

        private void Drain()
        {
            int read;
            while ((read = _stream!.Read(_chunk)) > 0)
            {
                Append(_chunk.AsSpan(0, read));
                _total += read;
                if (_mode == "Gunzip")
                {
                    _crc.Append(_chunk.AsSpan(0, read));
                }
            }
        }

        // .NET ends quietly where its input ends; Node says whether the stream was complete.
        private void Finish()
        {
            if (_stream is null)
            {
                throw new ZlibException("Error", "Z_BUF_ERROR", -5, "unexpected end of file");
            }

            _feed.Starved = false;
            Drain();
            if (_mode == "Gunzip")
            {
                // GZipStream reads on past each member (another may follow), so a cut stream looks like a finished one:
                // the trailer tells them apart. A single member ends with the CRC and length of all the output; the
                // last of several with its own length, which is less than all the output. Cut input ends in deflate
                // data, whose last four bytes are almost never a length at most the output's.
                var size = _tailLength == 8 ? BitConverter.ToUInt32(_tail.AsSpan(4)) : uint.MaxValue;
                if (_tailLength < 8 || size > (uint)_total)
                {
                    throw new ZlibException("Error", "Z_BUF_ERROR", -5, "unexpected end of file");
                }

                if (size == (uint)_total && BitConverter.ToUInt32(_tail) != _crc.GetCurrentHashAsUInt32())
                {
                    throw new ZlibException("Error", "Z_DATA_ERROR", -3, "incorrect data check");
                }
            }
            else if (_feed.Starved)
            {
                // ZLibStream and DeflateStream stop asking for input once the stream's last block is done.
                throw new ZlibException("Error", "Z_BUF_ERROR", -5, "unexpected end of file");
            }
        }

        private void Remember(byte[] input)
        {
            if (input.Length >= 8)
            {
                input.AsSpan(input.Length - 8).CopyTo(_tail);
                _tailLength = 8;
                return;
            }

            var keep = Math.Min(_tailLength, 8 - input.Length);
            _tail.AsSpan(_tailLength - keep, keep).CopyTo(_tail);
            input.CopyTo(_tail.AsSpan(keep));
            _tailLength = keep + input.Length;
        }
    }

    private sealed class BrotliCompressor : Codec
    {
        private BrotliEncoder _encoder;
        private readonly byte[] _chunk = new byte[64 * 1024];
        private bool _finished;

        public BrotliCompressor(int quality, int window) =>
            _encoder = new BrotliEncoder(quality is >= 0 and <= 11 ? quality : 11, window is >= 10 and <= 24 ? window : 22);

        public override void Write(byte[] input, int flush)
        {
            if (_finished)
            {
                return;
            }

            ReadOnlySpan<byte> source = input;
            var final = flush == 4;
            while (true)
            {
                var status = _encoder.Compress(source, _chunk, out var consumed, out var written, final);
                Append(_chunk.AsSpan(0, written));
                source = source[consumed..];
                if (status == OperationStatus.DestinationTooSmall || (final && status != OperationStatus.Done) || source.Length > 0)
                {
                    continue;
                }

                break;
            }

            if (final)
            {
                _finished = true;
            }
            else if (flush is 2 or 3)
            {
                OperationStatus status;
                do
                {
                    status = _encoder.Flush(_chunk, out var written);
                    Append(_chunk.AsSpan(0, written));
                }
                while (status == OperationStatus.DestinationTooSmall);
            }
        }

        public override void Dispose() => _encoder.Dispose();
    }

    private sealed class BrotliDecompressor : Codec
    {
        private BrotliDecoder _decoder;
        private readonly byte[] _chunk = new byte[64 * 1024];
        private OperationStatus _status = OperationStatus.NeedMoreData;

        public override void Write(byte[] input, int flush)
        {
            ReadOnlySpan<byte> source = input;
            while (_status != OperationStatus.Done)
            {
                _status = _decoder.Decompress(source, _chunk, out var consumed, out var written);
                Append(_chunk.AsSpan(0, written));
                source = source[consumed..];
                if (_status == OperationStatus.InvalidData)
                {
                    throw DataError();
                }

                if (_status == OperationStatus.NeedMoreData)
                {
                    break;
                }
            }

            if (flush == 4 && _status != OperationStatus.Done)
            {
                throw new ZlibException("Error", "Z_BUF_ERROR", -5, "unexpected end of file");
            }
        }

        public override ZlibException DataError() => new("Error", "Z_DATA_ERROR", -3, "Decompression failed");

        public override void Dispose() => _decoder.Dispose();
    }

    // The input written so far, read by a decompressing stream; a read of an empty feed returns 0 (and says so).
    private sealed class Feed : Stream
    {
        private readonly Queue<byte[]> _chunks = new();
        private byte[]? _current;
        private int _position;

        public bool Starved { get; set; }

        public long Consumed { get; private set; }

        public long Available { get; private set; }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public void Add(byte[] chunk)
        {
            if (chunk.Length > 0)
            {
                _chunks.Enqueue(chunk);
                Available += chunk.Length;
            }
        }

        // The byte at offset of what is not yet read, or -1.
        public int Peek(int offset)
        {
            var skip = offset;
            if (_current is not null)
            {
                if (_position + skip < _current.Length)
                {
                    return _current[_position + skip];
                }

                skip -= _current.Length - _position;
            }

            foreach (var chunk in _chunks)
            {
                if (skip < chunk.Length)
                {
                    return chunk[skip];
                }

                skip -= chunk.Length;
            }

            return -1;
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            while (_current is null || _position == _current.Length)
            {
                if (!_chunks.TryDequeue(out _current))
                {
                    _current = null;
                    Starved = true;
                    return 0;
                }

                _position = 0;
            }

            var count = Math.Min(buffer.Length, _current.Length - _position);
            _current.AsSpan(_position, count).CopyTo(buffer);
            _position += count;
            Consumed += count;
            Available -= count;
            return count;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    private sealed class ZlibException(string name, string code, int? errno, string message) : Exception(message)
    {
        public string Name { get; } = name;

        public string Code { get; } = code;

        public int? Errno { get; } = errno;
    }
}
