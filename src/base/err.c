/* SPDX-License-Identifier: MIT */
/* The single table mapping enum perr to HTTP status, API code and messages. */
#include "base/err.h"

struct perr_entry {
	int status;
	const char *code;
	const char *ru;
	const char *en;
};

static const struct perr_entry perr_table[PERR__COUNT] = {
	[PERR_OK] = {200, "ok", "Готово", "Done"},
	[PERR_NOMEM] = {503, "no_memory", "Сервер перегружен, попробуйте позже",
			"The server is overloaded, try again later"},
	[PERR_INVALID] = {400, "invalid_input", "Неверные данные в запросе",
			  "The request contains invalid data"},
	[PERR_UNAUTHENTICATED] = {401, "unauthenticated", "Нужно войти в систему",
				  "You need to log in"},
	[PERR_BAD_CREDENTIALS] = {401, "bad_credentials", "Неверный логин или пароль",
				  "Wrong login or password"},
	[PERR_FORBIDDEN] = {403, "forbidden", "Недостаточно прав для этого действия",
			    "You are not allowed to do this"},
	[PERR_CSRF] = {403, "csrf_failed", "Запрос отклонён: обновите страницу и повторите",
		       "Request refused: reload the page and try again"},
	[PERR_NOT_FOUND] = {404, "not_found", "Не найдено", "Not found"},
	[PERR_METHOD] = {405, "method_not_allowed", "Метод не поддерживается",
			 "Method not allowed"},
	[PERR_CONFLICT] = {409, "conflict", "Конфликт с текущим состоянием данных",
			   "Conflicts with the current state"},
	[PERR_EXPIRED] = {410, "expired", "Срок действия истёк", "This has expired"},
	[PERR_LIMIT] = {422, "limit_exceeded", "Превышено допустимое значение",
			"A limit was exceeded"},
	[PERR_TOO_LARGE] = {413, "payload_too_large", "Слишком большой запрос",
			    "The request is too large"},
	[PERR_RATE_LIMITED] = {429, "rate_limited",
			       "Слишком много попыток, подождите и попробуйте снова",
			       "Too many attempts, wait and try again"},
	[PERR_UNSUPPORTED] = {415, "unsupported", "Формат не поддерживается",
			      "Unsupported format"},
	[PERR_IO] = {500, "io_error", "Ошибка ввода-вывода на сервере",
		     "Server input/output error"},
	[PERR_UNAVAILABLE] = {503, "unavailable", "Сервис временно недоступен",
			      "Service temporarily unavailable"},
	[PERR_INTERNAL] = {500, "internal", "Внутренняя ошибка сервера",
			   "Internal server error"},
};

static const struct perr_entry *perr__get(int err)
{
	if (err < 0 || err >= PERR__COUNT || !perr_table[err].code)
		return &perr_table[PERR_INTERNAL];
	return &perr_table[err];
}

const char *perr_str(int err)
{
	return perr__get(err)->code;
}

int perr_http_status(int err)
{
	return perr__get(err)->status;
}

const char *perr_message(int err, enum lang lang)
{
	const struct perr_entry *e = perr__get(err);
	return lang == LANG_EN ? e->en : e->ru;
}
