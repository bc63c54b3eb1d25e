;; The structural pass of the CSV scanner (csv-scanner.ts), 16 bytes at a time with WebAssembly SIMD:
;; where each record ends, how many fields it has, how many line breaks it spans, and where each of
;; its first `lastWanted + 1` fields starts and ends. The scanner decodes text from those offsets.
;;
;; It takes only the plain case and stops at anything else, leaving that record to the scanner's own
;; code, which knows every rule and every recovery: a record that starts with a line break (blank
;; lines), a quote that closes a field and is not followed by the delimiter or a line feed (a stray
;; quote, or `"\r\n`), and a record that does not end within the bytes at hand.
;;
;; Input: the bytes at [0, end) of the memory, with 16 bytes of room after them (loads run past
;; `end`; what they read there is masked off). Output at `out`, per record, `5 + 2 * (lastWanted + 1)`
;; i32s: the record's start, where the next record starts, its field count, its line breaks, 1 when a
;; byte of its first fields may be outside ASCII (0: they are ASCII, so byte offsets are character
;; offsets), then per field its start and end (end with the top bit set for a quoted field that
;; holds `""`). Slots of fields past the record's field count are left as they were.
(module
  (memory (export "memory") 1)
  ;; Where scanning stopped, and why: 0 the bytes ran out inside a record (or no more bytes),
  ;; 1 the record there is one for the scanner's own code, 2 the output is full.
  (global $stopAt (export "stopAt") (mut i32) (i32.const 0))
  (global $stopKind (export "stopKind") (mut i32) (i32.const 0))
  ;; Side results of $closingQuote.
  (global $quotedLineBreaks (mut i32) (i32.const 0))
  (global $quotedEscaped (mut i32) (i32.const 0))
  (global $quotedHighBits (mut i32) (i32.const 0))

  ;; Bits 0..15 of a 16-byte load at `at` that lie before `end`.
  (func $validBits (param $at i32) (param $end i32) (result i32)
    (if (result i32) (i32.ge_s (i32.sub (local.get $end) (local.get $at)) (i32.const 16))
      (then (i32.const 0xffff))
      (else (i32.sub (i32.shl (i32.const 1) (i32.sub (local.get $end) (local.get $at))) (i32.const 1)))))

  ;; The quote that closes a quoted field whose text starts at `from` (a `""` pair is text), or -1
  ;; when the bytes end first, or end just after it (what follows it decides, and is not here yet).
  (func $closingQuote (param $from i32) (param $end i32) (result i32)
    (local $valid i32) (local $block v128) (local $quotes i32) (local $lineFeeds i32) (local $at i32)
    (global.set $quotedLineBreaks (i32.const 0))
    (global.set $quotedEscaped (i32.const 0))
    (global.set $quotedHighBits (i32.const 0))
    (block $none
      (loop $blocks
        (br_if $none (i32.ge_s (local.get $from) (local.get $end)))
        (local.set $valid (call $validBits (local.get $from) (local.get $end)))
        (local.set $block (v128.load align=1 (local.get $from)))
        (local.set $quotes (i32.and (local.get $valid) (i8x16.bitmask (i8x16.eq (local.get $block) (i8x16.splat (i32.const 0x22))))))
        (local.set $lineFeeds (i32.and (local.get $valid) (i8x16.bitmask (i8x16.eq (local.get $block) (i8x16.splat (i32.const 0x0a))))))
        (global.set $quotedHighBits (i32.or (global.get $quotedHighBits) (i32.and (local.get $valid) (i8x16.bitmask (local.get $block)))))
        (if (i32.eqz (local.get $quotes))
          (then
            (global.set $quotedLineBreaks (i32.add (global.get $quotedLineBreaks) (i32.popcnt (local.get $lineFeeds))))
            (local.set $from (i32.add (local.get $from) (i32.const 16)))
            (br $blocks)))
        (local.set $at (i32.add (local.get $from) (i32.ctz (local.get $quotes))))
        ;; Line feeds before the quote.
        (global.set $quotedLineBreaks
          (i32.add (global.get $quotedLineBreaks)
            (i32.popcnt (i32.and (local.get $lineFeeds) (i32.sub (i32.and (local.get $quotes) (i32.sub (i32.const 0) (local.get $quotes))) (i32.const 1))))))
        (br_if $none (i32.ge_s (i32.add (local.get $at) (i32.const 1)) (local.get $end)))
        (if (i32.eq (i32.load8_u (i32.add (local.get $at) (i32.const 1))) (i32.const 0x22))
          (then
            (global.set $quotedEscaped (i32.const 1))
            (local.set $from (i32.add (local.get $at) (i32.const 2)))
            (br $blocks)))
        (return (local.get $at))))
    (i32.const -1))

  ;; Scans whole records from `start`; returns how many were written at `out` (at most `max`).
  (func (export "scan") (param $start i32) (param $end i32) (param $delimiter i32) (param $lastWanted i32) (param $out i32) (param $max i32) (result i32)
    (local $records i32) (local $stride i32) (local $row i32) (local $record i32) (local $at i32)
    (local $column i32) (local $fieldStart i32) (local $lineBreaks i32) (local $valid i32) (local $block v128)
    (local $delimiters i32) (local $lineFeeds i32) (local $opening i32) (local $events i32) (local $bit i32)
    (local $place i32) (local $fieldEnd i32) (local $close i32) (local $next i32) (local $first i32)
    (local $stops i32) (local $before i32) (local $highBits i32)
    (local.set $stride (i32.shl (i32.add (i32.const 5) (i32.shl (i32.add (local.get $lastWanted) (i32.const 1)) (i32.const 1))) (i32.const 2)))
    (local.set $at (local.get $start))
    (block $stop
      (loop $records
        (global.set $stopAt (local.get $at))
        (global.set $stopKind (i32.const 0))
        (br_if $stop (i32.ge_s (local.get $at) (local.get $end)))
        (global.set $stopKind (i32.const 2))
        (br_if $stop (i32.ge_s (local.get $records) (local.get $max)))
        (global.set $stopKind (i32.const 1))
        (local.set $first (i32.load8_u (local.get $at)))
        (br_if $stop (i32.or (i32.eq (local.get $first) (i32.const 0x0a)) (i32.eq (local.get $first) (i32.const 0x0d))))
        (local.set $record (local.get $at))
        (local.set $row (i32.add (local.get $out) (i32.mul (local.get $records) (local.get $stride))))
        (local.set $column (i32.const 0))
        (local.set $fieldStart (local.get $at))
        (local.set $lineBreaks (i32.const 0))
        (local.set $highBits (i32.const 0))
        (if (i32.le_s (i32.const 0) (local.get $lastWanted))
          (then (i32.store offset=20 (local.get $row) (local.get $at))))
        (block $recordDone
          (loop $blocks
            ;; The record runs past the bytes at hand: the scanner carries it to the next chunk.
            (global.set $stopKind (i32.const 0))
            (global.set $stopAt (local.get $record))
            (br_if $stop (i32.ge_s (local.get $at) (local.get $end)))
            (local.set $valid (select (i32.const 0xffff) (i32.sub (i32.shl (i32.const 1) (i32.sub (local.get $end) (local.get $at))) (i32.const 1))
                                (i32.ge_s (i32.sub (local.get $end) (local.get $at)) (i32.const 16))))
            (local.set $block (v128.load align=1 (local.get $at)))
            (if (i32.le_s (local.get $column) (local.get $lastWanted))
              (then (local.set $highBits (i32.or (local.get $highBits) (i32.and (local.get $valid) (i8x16.bitmask (local.get $block)))))))
            (local.set $delimiters (i32.and (local.get $valid) (i8x16.bitmask (i8x16.eq (local.get $block) (i8x16.splat (local.get $delimiter))))))
            (local.set $lineFeeds (i32.and (local.get $valid) (i8x16.bitmask (i8x16.eq (local.get $block) (i8x16.splat (i32.const 0x0a))))))
            ;; A quote opens a quoted field only where a field starts; elsewhere it is text.
            (local.set $opening
              (i32.and
                (i32.and (local.get $valid) (i8x16.bitmask (i8x16.eq (local.get $block) (i8x16.splat (i32.const 0x22)))))
                (i32.or (i32.shl (local.get $delimiters) (i32.const 1)) (i32.eq (local.get $at) (local.get $fieldStart)))))
            (local.set $events (i32.or (local.get $delimiters) (i32.or (local.get $lineFeeds) (local.get $opening))))
            (block $blockDone
              (loop $eventsLoop
                (br_if $blockDone (i32.eqz (local.get $events)))
                (if (i32.gt_s (local.get $column) (local.get $lastWanted))
                  (then
                    ;; Past the last field asked for, delimiters are only counted: all of them up to
                    ;; the next line feed or opening quote at once.
                    (local.set $stops (i32.and (local.get $events) (i32.or (local.get $lineFeeds) (local.get $opening))))
                    (local.set $before
                      (if (result i32) (i32.eqz (local.get $stops))
                        (then (local.get $events))
                        (else (i32.and (local.get $events) (i32.sub (i32.and (local.get $stops) (i32.sub (i32.const 0) (local.get $stops))) (i32.const 1))))))
                    (if (local.get $before)
                      (then
                        (local.set $column (i32.add (local.get $column) (i32.popcnt (local.get $before))))
                        (local.set $fieldStart (i32.add (local.get $at) (i32.sub (i32.const 32) (i32.clz (local.get $before)))))
                        (local.set $events (i32.xor (local.get $events) (local.get $before)))))
                    (br_if $blockDone (i32.eqz (local.get $events)))))
                (local.set $bit (i32.and (local.get $events) (i32.sub (i32.const 0) (local.get $events))))
                (local.set $place (i32.add (local.get $at) (i32.ctz (local.get $events))))
                (local.set $events (i32.xor (local.get $events) (local.get $bit)))
                (if (i32.and (local.get $lineFeeds) (local.get $bit))
                  (then
                    ;; The record ends here; a `\r` before the `\n` is not part of the last field.
                    (if (i32.le_s (local.get $column) (local.get $lastWanted))
                      (then
                        (local.set $fieldEnd (local.get $place))
                        (if (i32.and (i32.gt_s (local.get $fieldEnd) (local.get $fieldStart))
                                     (i32.eq (i32.load8_u (i32.sub (local.get $fieldEnd) (i32.const 1))) (i32.const 0x0d)))
                          (then (local.set $fieldEnd (i32.sub (local.get $fieldEnd) (i32.const 1)))))
                        (i32.store offset=24 (i32.add (local.get $row) (i32.shl (local.get $column) (i32.const 3))) (local.get $fieldEnd))))
                    (local.set $column (i32.add (local.get $column) (i32.const 1)))
                    (local.set $at (i32.add (local.get $place) (i32.const 1)))
                    (br $recordDone)))
                (if (i32.and (local.get $opening) (local.get $bit))
                  (then
                    (local.set $close (call $closingQuote (i32.add (local.get $place) (i32.const 1)) (local.get $end)))
                    (global.set $stopKind (i32.const 0))
                    (global.set $stopAt (local.get $record))
                    (br_if $stop (i32.lt_s (local.get $close) (i32.const 0)))
                    (local.set $next (i32.load8_u (i32.add (local.get $close) (i32.const 1))))
                    (global.set $stopKind (i32.const 1))
                    (br_if $stop (i32.and (i32.ne (local.get $next) (local.get $delimiter)) (i32.ne (local.get $next) (i32.const 0x0a))))
                    (local.set $lineBreaks (i32.add (local.get $lineBreaks) (global.get $quotedLineBreaks)))
                    (if (i32.le_s (local.get $column) (local.get $lastWanted))
                      (then
                        (local.set $highBits (i32.or (local.get $highBits) (global.get $quotedHighBits)))
                        (i32.store offset=20 (i32.add (local.get $row) (i32.shl (local.get $column) (i32.const 3))) (i32.add (local.get $place) (i32.const 1)))
                        (i32.store offset=24 (i32.add (local.get $row) (i32.shl (local.get $column) (i32.const 3)))
                          (i32.or (local.get $close) (i32.shl (global.get $quotedEscaped) (i32.const 31))))))
                    (local.set $column (i32.add (local.get $column) (i32.const 1)))
                    (if (i32.eq (local.get $next) (i32.const 0x0a))
                      (then
                        (local.set $at (i32.add (local.get $close) (i32.const 2)))
                        (br $recordDone)))
                    ;; A delimiter follows: the next field starts after it; scan on from there.
                    (local.set $fieldStart (i32.add (local.get $close) (i32.const 2)))
                    (if (i32.le_s (local.get $column) (local.get $lastWanted))
                      (then (i32.store offset=20 (i32.add (local.get $row) (i32.shl (local.get $column) (i32.const 3))) (local.get $fieldStart))))
                    (local.set $at (local.get $fieldStart))
                    (br $blocks)))
                ;; A delimiter: one field ends, the next starts.
                (if (i32.le_s (local.get $column) (local.get $lastWanted))
                  (then (i32.store offset=24 (i32.add (local.get $row) (i32.shl (local.get $column) (i32.const 3))) (local.get $place))))
                (local.set $column (i32.add (local.get $column) (i32.const 1)))
                (local.set $fieldStart (i32.add (local.get $place) (i32.const 1)))
                (if (i32.le_s (local.get $column) (local.get $lastWanted))
                  (then (i32.store offset=20 (i32.add (local.get $row) (i32.shl (local.get $column) (i32.const 3))) (local.get $fieldStart))))
                (br $eventsLoop)))
            (local.set $at (i32.add (local.get $at) (i32.const 16)))
            (br $blocks)))
        ;; One more record: its start, the next one's, its width and its line breaks.
        (i32.store (local.get $row) (local.get $record))
        (i32.store offset=4 (local.get $row) (local.get $at))
        (i32.store offset=8 (local.get $row) (local.get $column))
        (i32.store offset=12 (local.get $row) (i32.add (local.get $lineBreaks) (i32.const 1)))
        (i32.store offset=16 (local.get $row) (i32.ne (local.get $highBits) (i32.const 0)))
        (local.set $records (i32.add (local.get $records) (i32.const 1)))
        (br $records)))
    (local.get $records))
)
