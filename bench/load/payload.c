/* SPDX-License-Identifier: MIT */
/* Message texts and their markers (contract in payload.h). */
#include "payload.h"

#include <stdio.h>
#include <string.h>

/* School words in the forms a message would use them; earlier entries are
 * picked more often (a rough Zipf shape), so queries meet both common and
 * rare terms. */
static const char *const payload__words[] = {
	"сегодня", "завтра", "занятие", "группа", "расписание", "преподаватель", "студенты",
	"задание", "перенесли", "кабинете", "лекция", "семинара", "экзамен", "контрольная",
	"домашнее", "куратор", "родителей", "собрание", "оценки", "зачёта", "сессии",
	"практика", "аудитории", "понедельник", "вторник", "среду", "четверг", "пятницу",
	"субботу", "утром", "вечером", "отменили", "отчёт", "проекта", "защиты", "диплома",
	"стипендии", "библиотеке", "учебники", "методички", "журнале", "справку",
	"документов", "приказа", "общежитии", "столовой", "спортзал", "олимпиады",
	"конференции", "лабораторной", "физика", "химия", "математика", "информатика",
	"история", "литература", "курсовой", "практикума", "экзаменов", "расписания",
	"занятия", "группе", "студентов", "преподавателя", "заданию", "лекции", "семинар",
	"кураторе", "родители", "собрания", "оценка", "зачёт", "сессия", "практики",
	"аудитория", "отчёта", "проект", "защита", "диплом", "стипендия", "библиотека",
	"учебник", "методичка", "журнал", "справка", "документы", "приказ", "общежитие",
	"столовая", "спортзале", "олимпиада", "конференция", "лаборатория", "курсовая",
	"практикум", "экзамены", "физике", "химии", "математике", "информатике",
};

#define PAYLOAD_NWORDS (sizeof payload__words / sizeof payload__words[0])

/* URL-encoded UTF-8 of: расписанию, экзаменам, олимпиаду, общежития,
 * стипендию, лабораторная, родительское собрание, защите диплома. */
static const char *const payload__queries[] = {
	"%D1%80%D0%B0%D1%81%D0%BF%D0%B8%D1%81%D0%B0%D0%BD%D0%B8%D1%8E",
	"%D1%8D%D0%BA%D0%B7%D0%B0%D0%BC%D0%B5%D0%BD%D0%B0%D0%BC",
	"%D0%BE%D0%BB%D0%B8%D0%BC%D0%BF%D0%B8%D0%B0%D0%B4%D1%83",
	"%D0%BE%D0%B1%D1%89%D0%B5%D0%B6%D0%B8%D1%82%D0%B8%D1%8F",
	"%D1%81%D1%82%D0%B8%D0%BF%D0%B5%D0%BD%D0%B4%D0%B8%D1%8E",
	"%D0%BB%D0%B0%D0%B1%D0%BE%D1%80%D0%B0%D1%82%D0%BE%D1%80%D0%BD%D0%B0%D1%8F",
	"%D1%80%D0%BE%D0%B4%D0%B8%D1%82%D0%B5%D0%BB%D1%8C%D1%81%D0%BA%D0%BE%D0%B5+"
	"%D1%81%D0%BE%D0%B1%D1%80%D0%B0%D0%BD%D0%B8%D0%B5",
	"%D0%B7%D0%B0%D1%89%D0%B8%D1%82%D0%B5+%D0%B4%D0%B8%D0%BF%D0%BB%D0%BE%D0%BC%D0%B0",
};

uint64_t payload_rand(uint64_t *rng)
{
	uint64_t x = *rng;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*rng = x;
	return x;
}

size_t payload_make(char *out, size_t cap, uint64_t ts_ns, unsigned sender, unsigned size,
		    bool words, uint64_t *rng)
{
	int n = snprintf(out, cap, "@@T%019llu.%04u@@", (unsigned long long)ts_ns, sender % 10000u);
	if (n < 0 || (size_t)n >= cap)
		return 0;
	size_t len = (size_t)n;
	if (!words) {
		static const char fill[] = "abcdefghijklmnopqrstuvwxyz0123456789";
		while (len < size && len + 1 < cap) {
			out[len] = fill[len % (sizeof fill - 1)];
			len++;
		}
		return len;
	}
	unsigned k = 5 + (unsigned)(payload_rand(rng) % 6);
	for (unsigned i = 0; i < k; i++) {
		/* square of a uniform number: small indexes are likelier */
		double u = (double)(payload_rand(rng) >> 11) / 9007199254740992.0;
		size_t idx = (size_t)(u * u * (double)PAYLOAD_NWORDS);
		if (idx >= PAYLOAD_NWORDS)
			idx = PAYLOAD_NWORDS - 1;
		const char *w = payload__words[idx];
		size_t wl = strlen(w);
		if (len + 1 + wl >= cap)
			break;
		out[len++] = ' ';
		memcpy(out + len, w, wl);
		len += wl;
	}
	return len;
}

bool payload_find(const uint8_t *d, size_t len, uint64_t *ts_ns, unsigned *sender)
{
	const uint8_t *p = len >= 3 ? memmem(d, len, "@@T", 3) : NULL;
	if (!p || (size_t)(d + len - p) < 3 + 19 + 1 + 4)
		return false;
	p += 3;
	uint64_t ts = 0;
	for (int i = 0; i < 19; i++) {
		if (p[i] < '0' || p[i] > '9')
			return false;
		ts = ts * 10 + (uint64_t)(p[i] - '0');
	}
	if (p[19] != '.')
		return false;
	unsigned s = 0;
	for (int i = 20; i < 24; i++) {
		if (p[i] < '0' || p[i] > '9')
			return false;
		s = s * 10 + (unsigned)(p[i] - '0');
	}
	*ts_ns = ts;
	*sender = s;
	return true;
}

const char *const *payload_queries(size_t *n)
{
	*n = sizeof payload__queries / sizeof payload__queries[0];
	return payload__queries;
}
