#include "retry_after.h"

#include <string.h>

/* "Sun, 06 Nov 1994 08:49:37 GMT" is always this long. */
enum { IMF_FIXDATE_LENGTH = 29 };

static int is_digit(char c) { return c >= '0' && c <= '9'; }

static uint64_t seconds_to_ms(uint64_t seconds) {
  return seconds > UINT64_MAX / 1000 ? UINT64_MAX : seconds * 1000;
}

/* 1*DIGIT; saturates instead of wrapping, since any huge delay is above
 * every configured maximum anyway. */
static int parse_delta_seconds(const char *text, size_t length, uint64_t *seconds_out) {
  if (length == 0) return 0;
  uint64_t seconds = 0;
  for (size_t i = 0; i < length; ++i) {
    if (!is_digit(text[i])) return 0;
    const uint64_t digit = (uint64_t)(text[i] - '0');
    seconds = seconds > (UINT64_MAX - digit) / 10 ? UINT64_MAX : seconds * 10 + digit;
  }
  *seconds_out = seconds;
  return 1;
}

/* The index of `text` (three letters) in `names`, or -1. HTTP dates are
 * case-sensitive. */
static int find_name(const char *text, const char *const names[], int count) {
  for (int i = 0; i < count; ++i) {
    if (memcmp(text, names[i], 3) == 0) return i;
  }
  return -1;
}

static int two_digits(const char *text, int *value_out) {
  if (!is_digit(text[0]) || !is_digit(text[1])) return 0;
  *value_out = (text[0] - '0') * 10 + (text[1] - '0');
  return 1;
}

static int is_leap_year(int year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

static int days_in_month(int year, int month) {
  static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && is_leap_year(year) ? 29 : days[month - 1];
}

/* Days from 1970-01-01 to year-month-day in the proleptic Gregorian
 * calendar (H. Hinnant's days_from_civil); timegm() is not standard C. */
static int64_t days_from_civil(int year, int month, int day) {
  const int64_t y = (int64_t)year - (month <= 2);
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t year_of_era = y - era * 400;
  const int64_t day_of_year = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
  const int64_t day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return era * 146097 + day_of_era - 719468;
}

/* IMF-fixdate = day-name "," SP DD SP month SP YYYY SP hh ":" mm ":" ss SP "GMT".
 * The day name must be one, but is not checked against the date. */
static int parse_imf_fixdate(const char *text, size_t length, int64_t *unix_seconds_out) {
  static const char *const day_names[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
  static const char *const month_names[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  if (length != IMF_FIXDATE_LENGTH) return 0;
  if (find_name(text, day_names, 7) < 0 || memcmp(text + 3, ", ", 2) != 0) return 0;
  int day, month, century, year_in_century, hour, minute, second;
  if (!two_digits(text + 5, &day) || text[7] != ' ') return 0;
  month = find_name(text + 8, month_names, 12) + 1;
  if (month == 0 || text[11] != ' ') return 0;
  if (!two_digits(text + 12, &century) || !two_digits(text + 14, &year_in_century) || text[16] != ' ')
    return 0;
  if (!two_digits(text + 17, &hour) || text[19] != ':' || !two_digits(text + 20, &minute) ||
      text[22] != ':' || !two_digits(text + 23, &second) || memcmp(text + 25, " GMT", 4) != 0) {
    return 0;
  }
  const int year = century * 100 + year_in_century;
  /* 60 is a leap second, which the grammar allows. */
  if (day < 1 || day > days_in_month(year, month) || hour > 23 || minute > 59 || second > 60) return 0;
  *unix_seconds_out = days_from_civil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second;
  return 1;
}

int retry_after_parse(const char *value, size_t length, int64_t now_unix_seconds, uint64_t *delay_ms_out) {
  while (length > 0 && (value[0] == ' ' || value[0] == '\t')) {
    ++value;
    --length;
  }
  while (length > 0 && (value[length - 1] == ' ' || value[length - 1] == '\t')) --length;

  uint64_t seconds;
  if (parse_delta_seconds(value, length, &seconds)) {
    *delay_ms_out = seconds_to_ms(seconds);
    return 1;
  }
  int64_t date;
  if (parse_imf_fixdate(value, length, &date)) {
    *delay_ms_out = date > now_unix_seconds ? seconds_to_ms((uint64_t)(date - now_unix_seconds)) : 0;
    return 1;
  }
  return 0;
}
